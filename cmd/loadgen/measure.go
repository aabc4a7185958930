package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// sample is the child's memory at one moment of a measurement.
type sample struct {
	at        time.Duration // since the measurement started
	completed int64
	rss       int64
}

// sampler reads the child's memory every interval.
type sampler struct {
	mu      sync.Mutex
	samples []sample
}

func (s *sampler) add(x sample) {
	s.mu.Lock()
	s.samples = append(s.samples, x)
	s.mu.Unlock()
}

func (s *sampler) all() []sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sample(nil), s.samples...)
}

// measure runs one mode against one target, on a fresh emulator, child and
// store.
func measure(ctx context.Context, o options, target, mode string, stderr io.Writer) (*Result, error) {
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "[%s %s] %s\n", target, mode, fmt.Sprintf(format, a...))
	}
	emuOpts := telegramtest.Options{} // flood limits off: a Telegram without limits
	if os.Getenv("MONGODB_URI") != "" {
		// The database keeps the inbox of earlier runs, which refuses update
		// ids it has seen: continue above anything used before.
		emuOpts.FirstUpdateID = time.Now().UnixMilli()
	}
	emu := telegramtest.New(emuOpts)
	defer emu.Close()
	people := newPeople(o.users)
	t := &tracker{people: people}
	emu.OnSent(t.onSent)
	l := &load{emu: emu, t: t, people: ordered(people), target: target}

	logf("starting the bot against the emulator at %s", emu.URL())
	c, err := startChild(ctx, o, target, mode, emu.URL(), emu.Token(), stderr)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	pid := c.pid()

	if c.addr != "" {
		logf("the bot serves http://%s/metrics", c.addr)
	}
	for _, line := range c.logs.lastLines(20) {
		if strings.Contains(line, "pprof at ") {
			logf("%s", line)
		}
	}
	logf("warm-up: %d people send /start, then a text", o.users)
	if err := l.warmUp(ctx); err != nil {
		return nil, fmt.Errorf("%w\n%s's last output:\n%s", err, target, c.logs.String())
	}
	if err := c.alive(); err != nil {
		return nil, err
	}

	res := &Result{Target: target, Mode: mode, Users: o.users, Store: storeKind(target)}
	var replies int
	for _, p := range l.people {
		replies += p.replies
	}
	res.RepliesPerUpdate = float64(replies) / float64(len(l.people))
	for _, text := range l.people[0].sample {
		text = shorten(text)
		if target == targetEcho {
			text = "(the same text)"
		}
		res.SampleReplies = append(res.SampleReplies, text)
	}
	var before map[string]float64
	if target == targetPresidio {
		if before, err = c.metrics(ctx); err != nil {
			return nil, err
		}
	}
	rss0, _, err := procMemory(pid)
	if err != nil {
		logf("memory figures unavailable: %v", err)
	}
	res.RSSAfterWarmUpMiB = mib(rss0)
	cpu0, _ := procCPU(pid)
	self0 := selfCPU()
	busy0, busyErr := machineBusy()
	start := time.Now()

	// Memory samples and progress while the load runs.
	smp := &sampler{}
	smp.add(sample{0, 0, rss0})
	stopSampling := make(chan struct{})
	samplingDone := make(chan struct{})
	go func() {
		defer close(samplingDone)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		lastLog := time.Now()
		for {
			select {
			case <-stopSampling:
				return
			case now := <-tick.C:
				rss, _, err := procMemory(pid)
				if err != nil {
					continue
				}
				done := t.completed.Load()
				smp.add(sample{now.Sub(start), done, rss})
				if now.Sub(lastLog) >= 5*time.Second {
					lastLog = now
					el := now.Sub(start).Seconds()
					logf("%5.0fs  %7d updates  %6.0f/s  RSS %4.0f MiB", el, done, float64(done)/el, mib(rss))
				}
			}
		}
	}()

	switch mode {
	case modeThroughput:
		deadline := start.Add(min(o.timeout, o.duration))
		var maxUpdates int64
		if o.updates > 0 {
			deadline, maxUpdates = start.Add(o.timeout), int64(o.updates)
			logf("closed loop: %d people, %d updates", o.users, o.updates)
		} else {
			logf("closed loop: %d people for %s", o.users, min(o.timeout, o.duration))
		}
		var sent int64
		sent, res.Lost = l.closedLoop(ctx, deadline, maxUpdates)
		res.Sent = sent
		if maxUpdates > 0 && sent < maxUpdates {
			res.Notes = append(res.Notes, fmt.Sprintf("stopped at -timeout %s after %d of %d updates", o.timeout, sent, maxUpdates))
		}
	case modeRate:
		res.Rate = o.rate
		n := int64(math.Round(o.rate * o.duration.Seconds()))
		if o.updates > 0 {
			n = int64(o.updates)
		}
		if limit := int64(o.rate * o.timeout.Seconds()); n > limit {
			res.Notes = append(res.Notes, fmt.Sprintf("capped at -timeout %s: %d updates instead of %d", o.timeout, limit, n))
			n = limit
		}
		logf("open loop: %d updates at %.0f/s over %d people", n, o.rate, o.users)
		lags, lost := l.openLoop(ctx, o.rate, n)
		res.Sent, res.Lost = int64(len(lags)), lost
		lag := percentiles(lags)
		res.ScheduleLag = &lag
	}
	if ctx.Err() != nil {
		close(stopSampling)
		<-samplingDone
		return nil, ctx.Err()
	}

	t.mu.Lock()
	end := t.lastReply
	lat := append([]time.Duration(nil), t.latencies...)
	firstLat := append([]time.Duration(nil), t.firstLatencies...)
	t.mu.Unlock()
	if end.IsZero() {
		end = time.Now()
	}
	// Let outcomes and the watermark be recorded: they belong to these
	// updates' cost.
	time.Sleep(time.Second)
	close(stopSampling)
	<-samplingDone

	res.Updates = t.completed.Load()
	res.Seconds = end.Sub(start).Seconds()
	if res.Seconds > 0 {
		res.UpdatesPerSecond = float64(res.Updates) / res.Seconds
	}
	res.Latency = percentiles(lat)
	res.FirstReplyLatency = percentiles(firstLat)
	res.WrongReplies = t.wrong.Load()
	if res.WrongReplies > 0 {
		t.mu.Lock()
		for _, text := range t.wrongSamples {
			res.Notes = append(res.Notes, "unexpected reply: "+text)
		}
		t.mu.Unlock()
	}
	res.UnmatchedReplies = t.unmatched.Load()

	rss1, peak, err := procMemory(pid)
	if err == nil {
		smp.add(sample{time.Since(start), res.Updates, rss1})
		res.PeakRSSMiB = mib(peak)
		res.RSSMiB = rssAt(smp.all(), res.Updates)
	}
	if cpu1, err := procCPU(pid); err == nil && res.Seconds > 0 {
		res.ChildCPUPercent = 100 * (cpu1 - cpu0).Seconds() / time.Since(start).Seconds()
	}
	res.LoadgenCPUPercent = 100 * (selfCPU() - self0).Seconds() / time.Since(start).Seconds()
	if busy1, err := machineBusy(); err == nil && busyErr == nil {
		machine := 100 * (busy1 - busy0).Seconds() / time.Since(start).Seconds()
		res.OtherCPUPercent = max(0, machine-res.ChildCPUPercent-res.LoadgenCPUPercent)
		if res.OtherCPUPercent > 10 {
			res.Notes = append(res.Notes, fmt.Sprintf("other processes used %.0f%% of a core during the run: the figures are disturbed", res.OtherCPUPercent))
		}
	}

	if target == targetPresidio {
		after, err := c.metrics(ctx)
		if err != nil {
			return nil, err
		}
		cmds := after["presidio_store_commands_total"] - before["presidio_store_commands_total"]
		res.StoreCommands = int64(cmds)
		if res.Updates > 0 {
			perUpdate := cmds / float64(res.Updates)
			res.StoreCommandsPerUpdate = &perUpdate
		}
		res.BotProcessing = histogramSummary(before, after, "presidio_update_processing_seconds")
		for _, outcome := range []string{"error", "panic"} {
			k := `presidio_updates_processed_total{outcome="` + outcome + `"}`
			if n := after[k] - before[k]; n > 0 {
				res.Notes = append(res.Notes, fmt.Sprintf("%d updates ended in %s", int(n), outcome))
			}
		}
		res.DataDirMiB = mib(c.dataSize())
	}
	if err := c.alive(); err != nil {
		return nil, err
	}
	if n := c.logs.warningCount(); n > 0 {
		res.ChildWarnings = n
		res.Notes = append(res.Notes, fmt.Sprintf("%s logged %d warnings/errors; last: %q", target, n, c.logs.lastLines(1)))
	}
	logf("done: %d updates in %.1fs = %.0f/s, p50 %.1f ms, p99 %.1f ms, peak RSS %.0f MiB",
		res.Updates, res.Seconds, res.UpdatesPerSecond, res.Latency.P50, res.Latency.P99, res.PeakRSSMiB)
	return res, nil
}

func storeKind(target string) string {
	switch {
	case target == targetEcho:
		return "none"
	case os.Getenv("MONGODB_URI") != "":
		return "MongoDB"
	default:
		return "embedded"
	}
}

// rssAt picks the memory samples nearest after 10%, 50% and 100% of the
// updates.
func rssAt(samples []sample, total int64) RSSPoints {
	var pts RSSPoints
	at := func(frac float64) float64 {
		goal := int64(math.Ceil(frac * float64(total)))
		for _, s := range samples {
			if s.completed >= goal && s.at > 0 {
				return mib(s.rss)
			}
		}
		return mib(samples[len(samples)-1].rss)
	}
	pts.P10, pts.P50, pts.P100 = at(0.10), at(0.50), at(1)
	for _, s := range samples {
		pts.Max = max(pts.Max, mib(s.rss))
	}
	return pts
}

func mib(b int64) float64 { return math.Round(float64(b)/(1<<20)*10) / 10 }

// percentiles in milliseconds.
func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1 // nearest rank
		i = min(max(i, 0), len(s)-1)
		return ms(s[i])
	}
	return Percentiles{P50: q(0.50), P90: q(0.90), P99: q(0.99), Max: ms(s[len(s)-1])}
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*100) / 100 }

// histogramSummary summarizes what a Prometheus histogram recorded between
// two scrapes: the mean and the buckets holding the median and the 99th
// percentile, in milliseconds.
func histogramSummary(before, after map[string]float64, name string) *HistogramSummary {
	type bucket struct{ le, n float64 }
	var buckets []bucket
	prefix := name + `_bucket{le="`
	for k, v := range after {
		le, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		bound, err := strconv.ParseFloat(strings.TrimSuffix(le, `"}`), 64)
		if err != nil {
			continue
		}
		buckets = append(buckets, bucket{bound, v - before[k]})
	}
	count := after[name+"_count"] - before[name+"_count"]
	if count <= 0 || len(buckets) == 0 {
		return nil
	}
	slices.SortFunc(buckets, func(a, b bucket) int { return cmp.Compare(a.le, b.le) })
	upTo := func(q float64) float64 {
		for _, b := range buckets {
			if b.n >= q*count {
				return b.le * 1000
			}
		}
		return math.Inf(1)
	}
	return &HistogramSummary{
		Count:  int64(count),
		MeanMs: math.Round((after[name+"_sum"]-before[name+"_sum"])/count*1000*100) / 100,
		P50Ms:  upTo(0.5),
		P99Ms:  upTo(0.99),
	}
}

// shorten cuts a reply text for the report.
func shorten(text string) string {
	if r := []rune(text); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return text
}
