package app

import (
	"context"
	"fmt"
	"time"

	"github.com/prils-lazio/presidio/flows"
	"github.com/prils-lazio/presidio/flows/understand"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/locales"
)

// flowsHandler builds the conversation: the directory (with the sample
// data when it is empty), the registered actions and the validated flows.
// A flow file with problems stops the start with "file:line: message".
func (a *App) flowsHandler(ctx context.Context, texts *locales.Catalog) (*flows.Bot, error) {
	dir := directory.New(a.Store)
	if n, err := dir.LoadSample(ctx); err != nil {
		return nil, fmt.Errorf("loading the sample directory: %w", err)
	} else if n > 0 {
		a.log.Info("the service directory was empty: loaded the sample data (marked as sample to users)", "services", n)
	}
	actions := flows.Actions(dir, texts, time.Now)
	defs, err := flows.Load(a.cfg.FlowsDir, texts, actions)
	if err != nil {
		return nil, fmt.Errorf("flows:\n%w", err)
	}
	words, err := understand.Load()
	if err != nil {
		return nil, fmt.Errorf("free-text keywords: %w", err)
	}
	return &flows.Bot{
		Engine:     flows.NewEngine(defs, texts),
		Texts:      texts,
		Actions:    actions,
		Understand: words,
	}, nil
}
