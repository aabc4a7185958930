// Command presidio runs the Presidio Telegram assistant: the bot, its
// HTTP endpoints and, when no bot token is set, the sandbox.
//
//	go run ./cmd/presidio        # sandbox on the embedded store
//	presidio -h                  # every setting with its default
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/prils-lazio/presidio/internal/app"
	"github.com/prils-lazio/presidio/internal/config"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code. 0 after a
// clean stop (SIGTERM, SIGINT), 2 for a bad setting, 1 for anything else.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := config.Parse(args, getenv, stdout)
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "presidio: %v\n", err)
		return 2
	}
	log := newLogger(cfg, stderr)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a := app.New(cfg, log)
	if err := a.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "presidio: %v\n", err)
		return 1
	}
	<-ctx.Done()
	log.Info("stopping: no new updates taken; finishing work in progress", "deadline", cfg.ShutdownTimeout)
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := a.Stop(stopCtx); err != nil {
		log.Warn("stopped", "note", err.Error())
	} else {
		log.Info("stopped cleanly")
	}
	return 0
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
