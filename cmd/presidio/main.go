// Command presidio runs the Presidio Telegram assistant: the bot, its
// HTTP endpoints and, when no bot token is set, the sandbox.
//
//	go run ./cmd/presidio                          # sandbox on the embedded store
//	presidio -h                                    # every setting with its default
//	presidio directory import services.csv         # checks every row; imports all or nothing
//	presidio directory export > services.csv
//	presidio courses import courses.csv            # same checks; refuses to lower seats below enrolment
//	presidio courses export > courses.csv          # with enrolled and waiting counts (export F.xlsx: a workbook)
//	presidio observatory districts import districts.csv   # the town → district table (districts export)
//	presidio user add -name NAME -role ROLE [-site SITE] < password   # console accounts; user list, user disable NAME
//	presidio store serve | store copy | backup FILE | restore FILE     # see ops.go
//	presidio translations status                   # per language: complete, stale, not reviewed (see locales/README.md)
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
	"github.com/prils-lazio/presidio/internal/console"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/observatory"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/locales/translations"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code. 0 after a
// clean stop (SIGTERM, SIGINT), 2 for a bad setting, 3 when another process
// took over the store's lease, 1 for anything else.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "translations" {
		return translations.RunCLI(args[1:], stdout, stderr)
	}
	if len(args) > 0 && (args[0] == "directory" || args[0] == "courses" || args[0] == "user" || args[0] == "observatory") {
		return runCatalogue(args[0], args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && opsCommands[args[0]] != nil { // ops.go
		return runOps(args, getenv, stdout, stderr)
	}
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
	code := 0
	select {
	case <-ctx.Done():
		log.Info("stopping: no new updates taken; finishing work in progress", "deadline", cfg.ShutdownTimeout)
	case <-a.Lost():
		// Another process took over: stop at once; the supervisor
		// restarts this one, which then stands by.
		code = 3
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := a.Stop(stopCtx); err != nil {
		log.Warn("stopped", "note", err.Error())
	} else {
		log.Info("stopped cleanly")
	}
	return code
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

// runCatalogue is `presidio directory …` and `presidio courses …` (import
// FILE.csv, export): the coordinator's and schools' commands for the
// service directory and the course catalogue, on the configured store.
func runCatalogue(kind string, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := config.Parse(nil, getenv, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "presidio: %v\n", err)
		return 2
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.Open(ctx, store.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir, Command: true}, log)
	if err != nil {
		fmt.Fprintf(stderr, "presidio: %v\n", err)
		return 1
	}
	defer st.Close(ctx)
	if kind == "user" {
		return console.RunUserCLI(ctx, st, args, os.Stdin, stdout, stderr)
	}
	if kind == "observatory" {
		return observatory.RunCLI(ctx, st, args, stdout, stderr)
	}
	if kind == "courses" {
		c, err := courses.New(ctx, st, courses.Config{})
		if err != nil {
			fmt.Fprintf(stderr, "presidio: %v\n", err)
			return 1
		}
		return courses.RunCLI(ctx, c, args, stdout, stderr)
	}
	return directory.RunCLI(ctx, directory.New(st), args, stdout, stderr)
}
