package app

import (
	"context"
	"time"

	"github.com/prils-lazio/presidio/internal/observatory"
)

// compactObservatory rolls the observatory's finished days up (one
// document per day instead of a collection of events) and deletes
// roll-ups older than observatory.RollupRetention. Failures are logged and
// tried again at the next sweep.
func (a *App) compactObservatory(ctx context.Context, now time.Time) {
	rd := observatory.NewReader(a.Store)
	if n, err := rd.Rollup(ctx, now); err != nil {
		a.log.Warn("observatory: compacting days failed", "error", err)
	} else if n > 0 {
		a.log.Info("observatory: compacted days into roll-ups", "days", n)
	}
	if _, err := rd.Expire(ctx, now.Add(-observatory.RollupRetention)); err != nil {
		a.log.Warn("observatory: expiring roll-ups failed", "error", err)
	}
}
