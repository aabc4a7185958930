package app

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/config"
	"github.com/prils-lazio/presidio/locales"
)

// The sandbox app registers the command menu in every language (Filipino
// under Telegram's "tl"), with Italian as the default, and loads the
// sample directory into an empty store.
func TestCommandsRegisteredPerLanguage(t *testing.T) {
	cfg, err := config.Parse(nil, func(k string) string {
		return map[string]string{"PRESIDIO_HTTP_ADDR": "127.0.0.1:0", "PRESIDIO_DATA_DIR": t.TempDir()}[k]
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := New(cfg, slog.New(slog.DiscardHandler))
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Stop(ctx)
	}()
	texts, _ := locales.Load()
	for _, c := range []struct{ code, lang string }{{"uk", "uk"}, {"ar", "ar"}, {"tl", "fil"}, {"", "it"}} {
		cmds := a.Emulator.Commands(c.code)
		if len(cmds) != 6 {
			t.Fatalf("%q: %d commands, want 6", c.code, len(cmds))
		}
		if cmds[0].Command != "start" || cmds[0].Description != texts.Text(c.lang, "command.start", nil) {
			t.Errorf("%q: first command %+v", c.code, cmds[0])
		}
	}
}
