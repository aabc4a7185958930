// Command obsbench measures the observatory at a year's scale on the
// embedded store: it seeds N synthetic events spread over a year into a
// new temporary store, compacts the finished days (Rollup), then times
// the dashboard (its six tables over the last 30 days, one read) and the plan for a
// whole year (with its two comparison periods), reporting time and memory.
//
//	go run ./cmd/obsbench -events 10000,100000
//
// The figures go into BENCHMARKS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/observatory"
	"github.com/prils-lazio/presidio/internal/store"
)

func main() {
	sizes := flag.String("events", "10000,100000", "comma-separated event counts to seed")
	people := flag.Int("people", 20000, "distinct people")
	norollup := flag.Bool("norollup", false, "do not compact the days (measure reads of raw day collections)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			fmt.Fprintln(os.Stderr, "obsbench: bad -events:", s)
			os.Exit(2)
		}
		if err := run(n, *people, !*norollup); err != nil {
			fmt.Fprintln(os.Stderr, "obsbench:", err)
			return
		}
	}
}

func run(n, people int, rollup bool) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "obsbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, store.Config{DataDir: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer st.Close(ctx)
	year := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	t0 := time.Now()
	if err := observatory.SeedSynthetic(ctx, st, observatory.SyntheticOptions{From: year, Days: 365, Events: n, People: people, Seed: 1}, nil); err != nil {
		return err
	}
	seed := time.Since(t0)
	fmt.Printf("events=%d seeded in %s\n", n, seed.Round(time.Millisecond))
	rd := observatory.NewReader(st)
	t0 = time.Now()
	days := 0
	if rollup {
		// Every day but the last two is finished.
		if days, err = rd.Rollup(ctx, year.AddDate(1, 0, 0)); err != nil {
			return err
		}
	}
	roll := time.Since(t0)
	fmt.Printf("events=%d rolled up %d days in %s\n", n, days, roll.Round(time.Millisecond))
	to := year.AddDate(1, 0, 0)
	dash, dashMem, err := measure(func() error {
		from := to.AddDate(0, 0, -30)
		tables, err := rd.QueryAll(ctx, []observatory.Query{
			observatory.RequestsPerTopic(from, to, observatory.Day), observatory.UnmetNeeds(from, to),
			observatory.Escalations(from, to), observatory.FirstResponse(from, to),
			observatory.Outcomes(from, to), observatory.CourseDemand(from, to),
		})
		for _, t := range tables {
			_ = observatory.Suppress(t, observatory.MinCell)
		}
		return err
	})
	if err != nil {
		return err
	}
	plan, planMem, err := measure(func() error {
		_, err := rd.BuildPlan(ctx, observatory.PlanRequest{From: year, To: to}, nil, observatory.Resources{})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("events=%d seed=%s rollup=%s (%d days) dashboard_30d=%s (alloc %s) year_plan=%s (alloc %s) peak_rss=%s\n",
		n, seed.Round(time.Millisecond), roll.Round(time.Millisecond), days,
		dash.Round(time.Millisecond), mb(dashMem), plan.Round(time.Millisecond), mb(planMem), peakRSS())
	return nil
}

// measure runs f and returns its time and the bytes it allocated.
func measure(f func() error) (time.Duration, uint64, error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	err := f()
	d := time.Since(t0)
	runtime.ReadMemStats(&after)
	return d, after.TotalAlloc - before.TotalAlloc, err
}

// peakRSS is the process's peak resident memory so far (the embedded
// store runs in this process too), from /proc; "?" elsewhere.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return "?"
}

func mb(b uint64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
