package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	httppprof "net/http/pprof"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/app"
	"github.com/prils-lazio/presidio/internal/config"
)

// Environment the parent gives its children (besides Presidio's own
// settings, which the Presidio child reads through config.Parse).
const (
	envEmuURL     = "LOADGEN_EMULATOR_URL"
	envToken      = "LOADGEN_TOKEN"
	envCPUProfile = "LOADGEN_CPUPROFILE"
	envPprof      = "LOADGEN_PPROF"
)

// readyPrefix starts the line a child prints on stdout once it serves:
// "READY <address of its HTTP server, or ->".
const readyPrefix = "READY "

// servePresidio runs internal/app as cmd/presidio does, with the send limits
// off (the emulator stands in for a Telegram without limits, so the code
// path is measured rather than Telegram's cap), until SIGTERM.
func servePresidio() int {
	cfg, err := config.Parse(nil, os.Getenv, io.Discard)
	if err != nil {
		fmt.Fprintf(os.Stderr, "presidio: %v\n", err)
		return 2
	}
	if cfg.Sandbox() {
		fmt.Fprintln(os.Stderr, "presidio: TELEGRAM_BOT_TOKEN is empty: loadgen must set it to the emulator's token")
		return 2
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	stopProfile, err := startCPUProfile()
	if err != nil {
		fmt.Fprintf(os.Stderr, "presidio: %v\n", err)
		return 1
	}
	defer stopProfile()

	if os.Getenv(envPprof) != "" {
		if err := servePprof(); err != nil {
			fmt.Fprintf(os.Stderr, "presidio: %v\n", err)
			return 1
		}
	}

	if err := seedPeople(cfg, log); err != nil {
		fmt.Fprintf(os.Stderr, "presidio: seeding: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a := app.New(cfg, log)
	a.Limits = &bot.Limits{}
	if err := a.Start(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "presidio: %v\n", err)
		return 1
	}
	fmt.Printf("%s%s\n", readyPrefix, a.Addr())
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := a.Stop(stopCtx); err != nil {
		log.Warn("stopped", "note", err.Error())
	}
	return 0
}

// serveEcho runs the floor: a bare go-telegram/bot bot with its default
// long polling that answers every text with the same text.
func serveEcho() int {
	url, token := os.Getenv(envEmuURL), os.Getenv(envToken)
	if url == "" || token == "" {
		fmt.Fprintf(os.Stderr, "echo: %s and %s must be set (loadgen sets them)\n", envEmuURL, envToken)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	echo := func(ctx context.Context, b *tg.Bot, u *models.Update) {
		if u.Message == nil || u.Message.Text == "" {
			return
		}
		if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.Message.Chat.ID, Text: u.Message.Text}); err != nil && ctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "echo: sendMessage: %v\n", err)
		}
	}
	b, err := tg.New(token, tg.WithServerURL(url), tg.WithDefaultHandler(echo))
	if err != nil {
		fmt.Fprintf(os.Stderr, "echo: %v\n", err)
		return 1
	}
	fmt.Printf("%s-\n", readyPrefix)
	b.Start(ctx) // returns when ctx ends
	return 0
}

// startCPUProfile starts the CPU profile asked for by the parent, if any.
func startCPUProfile() (stop func(), err error) {
	path := os.Getenv(envCPUProfile)
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, errors.Join(fmt.Errorf("cpu profile: %w", err), os.Remove(path))
	}
	start := time.Now()
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
		fmt.Fprintf(os.Stderr, "presidio: wrote the CPU profile of %s to %s\n", time.Since(start).Round(time.Second), path)
	}, nil
}

// servePprof serves net/http/pprof on a free loopback port, for looking
// at the bot's heap and goroutines during a run (loadgen -pprof).
func servePprof() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", httppprof.Index)
	mux.HandleFunc("/debug/pprof/profile", httppprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", httppprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", httppprof.Trace)
	fmt.Fprintf(os.Stderr, "presidio: pprof at http://%s/debug/pprof/\n", ln.Addr())
	go func() { _ = http.Serve(ln, mux) }()
	return nil
}
