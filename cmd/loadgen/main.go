// Command loadgen benchmarks Presidio's code path end to end: simulated
// people write to the bot through the Bot API emulator (internal/telegramtest)
// and loadgen measures how many updates per second get their reply, the time
// from an update being queued to its reply reaching the emulator, the bot's
// memory, and the database round trips each update costs. The same load is
// run against a bare go-telegram/bot echo bot, the floor to compare with.
//
//	go run ./cmd/loadgen                              # both targets, both modes, 30 s each
//	go run ./cmd/loadgen -target presidio -mode rate -rate 200 -duration 60s
//	go run ./cmd/loadgen -target presidio -mode throughput -updates 100000
//
// The loadgen process hosts the emulator (Telegram's flood limits off) and
// the people. The bot under test runs in a separate process, so that its
// memory can be read from /proc: loadgen starts itself again as
// "loadgen -serve-presidio" (internal/app started as cmd/presidio starts
// it, with its own send limits turned off, polling the emulator, on a fresh
// embedded store or on MONGODB_URI) or "loadgen -serve-echo".
//
// Modes:
//   - throughput: every person sends a message, waits for the reply and
//     sends the next (closed loop), for -duration or until -updates
//     messages were sent; it reports the updates per second achieved.
//   - rate: messages are sent at -rate per second, spread over the people,
//     whether or not earlier ones were answered (open loop), for -duration
//     or -updates messages; it reports the latency at that rate.
//
// Before measuring, every person sends /start and then one "ciao", and
// loadgen takes every answer until the bot is quiet: sessions and languages
// are set, and loadgen learns how many messages answer a plain text and what
// the last one says. Only the "ciao" texts sent afterwards are measured, to
// their last reply, and each reply is checked against what was learned (the
// same text for the echo bot).
//
// The results are printed as markdown tables (or JSON with -json), ready for
// BENCHMARKS.md; progress goes to stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Hidden modes: the process under test.
const (
	servePresidioArg = "-serve-presidio"
	serveEchoArg     = "-serve-echo"
)

type options struct {
	users      int
	rate       float64
	duration   time.Duration
	updates    int
	modes      []string
	targets    []string
	json       bool
	timeout    time.Duration
	dataDir    string
	cpuProfile string
	pprof      bool
	verbose    bool
	seed       int
	args       []string
}

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case servePresidioArg:
			os.Exit(servePresidio())
		case serveEchoArg:
			os.Exit(serveEcho())
		}
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.users, "users", 200, "simulated people (each in their own private chat)")
	fs.Float64Var(&o.rate, "rate", 200, "updates per second in -mode rate")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long each measurement lasts (ignored when -updates is set)")
	fs.IntVar(&o.updates, "updates", 0, "measure this many updates instead of a duration (rate mode: lasts updates/rate seconds)")
	mode := fs.String("mode", "all", "throughput, rate or all")
	target := fs.String("target", "both", "presidio, echo or both")
	fs.BoolVar(&o.json, "json", false, "print the results as JSON instead of markdown")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "upper bound of one measurement (it stops early and says so)")
	fs.StringVar(&o.dataDir, "data-dir", "", "parent folder of the embedded store's temporary folder (default: the system's temp folder)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write each Presidio child's CPU profile to `prefix`-<mode>.pprof (go tool pprof)")
	fs.BoolVar(&o.pprof, "pprof", false, "serve net/http/pprof in each Presidio child (its address is logged to stderr)")
	fs.BoolVar(&o.verbose, "v", false, "copy the children's logs to stderr")
	fs.IntVar(&o.seed, "seed", 0, "store this many people (a session each) before measuring Presidio")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: go run ./cmd/loadgen [flags]")
		fmt.Fprintln(stderr, "\nBenchmarks Presidio (and a bare echo bot as the floor) through the Bot API emulator.")
		fmt.Fprintln(stderr, "Set MONGODB_URI to measure on MongoDB instead of the embedded store (use a throwaway database).")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch *mode {
	case "all":
		o.modes = []string{modeThroughput, modeRate}
	case modeThroughput, modeRate:
		o.modes = []string{*mode}
	default:
		return o, fmt.Errorf("-mode: %q is not throughput, rate or all", *mode)
	}
	switch *target {
	case "both":
		o.targets = []string{targetPresidio, targetEcho}
	case targetPresidio, targetEcho:
		o.targets = []string{*target}
	default:
		return o, fmt.Errorf("-target: %q is not presidio, echo or both", *target)
	}
	switch {
	case o.users < 1:
		return o, errors.New("-users must be at least 1")
	case o.rate <= 0:
		return o, errors.New("-rate must be positive")
	case o.updates < 0:
		return o, errors.New("-updates must not be negative")
	case o.updates == 0 && o.duration <= 0:
		return o, errors.New("-duration must be positive")
	case o.timeout <= 0:
		return o, errors.New("-timeout must be positive")
	}
	o.args = args
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	var results []*Result
	failed := false
	for _, target := range o.targets {
		for _, mode := range o.modes {
			if ctx.Err() != nil {
				break
			}
			res, err := measure(ctx, o, target, mode, stderr)
			if err != nil {
				fmt.Fprintf(stderr, "loadgen: %s %s: %v\n", target, mode, err)
				failed = true
				continue
			}
			results = append(results, res)
		}
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(report{Command: commandLine(o.args), Machine: describeMachine(), Results: results})
	} else {
		writeMarkdown(stdout, commandLine(o.args), results)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "loadgen: interrupted")
		return 130
	}
	if failed {
		return 1
	}
	return 0
}

func commandLine(args []string) string {
	parts := []string{"go run ./cmd/loadgen"}
	for _, a := range args {
		if strings.ContainsAny(a, " \t'\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
