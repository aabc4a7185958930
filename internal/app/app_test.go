package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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
	for _, c := range []struct{ code, lang string }{{"uk", "uk"}, {"ar", "ar"}, {"tl", "fil"}, {"fa", "fa"}, {"ps", "ps"}, {"", "it"}} {
		cmds := a.Emulator.Commands(c.code)
		if len(cmds) != 11 {
			t.Fatalf("%q: %d commands, want 11", c.code, len(cmds))
		}
		if cmds[0].Command != "start" || cmds[0].Description != texts.Text(c.lang, "command.start", nil) {
			t.Errorf("%q: first command %+v", c.code, cmds[0])
		}
	}
}

// A flow file with a mistake stops the start with file:line: what is wrong,
// and nothing keeps running.
func TestBadFlowFileStopsStart(t *testing.T) {
	flowsDir := t.TempDir()
	for _, f := range []string{"human.yaml", "services.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "flows", "data", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(flowsDir, f), data, 0o600)
	}
	os.WriteFile(filepath.Join(flowsDir, "main.yaml"), []byte("id: main\nstart: menu\nnodes:\n  menu:\n    menu: main.menu\n    buttons:\n      - {text: main.b.health, goto: \"@nowhere\"}\n"), 0o600)
	cfg, err := config.Parse(nil, func(k string) string {
		return map[string]string{"PRESIDIO_HTTP_ADDR": "127.0.0.1:0", "PRESIDIO_DATA_DIR": t.TempDir(), "PRESIDIO_FLOWS_DIR": flowsDir}[k]
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := New(cfg, slog.New(slog.DiscardHandler))
	err = a.Start(context.Background())
	if err == nil {
		a.Stop(context.Background())
		t.Fatal("started with a broken flow file")
	}
	if !strings.Contains(err.Error(), `main.yaml:7: node "menu": flow "nowhere" does not exist`) {
		t.Fatalf("error = %v", err)
	}
}
