package main

import (
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/telegramtest"
)

func TestParseMetricsAndHistogram(t *testing.T) {
	before, err := parseMetrics(strings.NewReader(`# HELP presidio_store_commands_total x
# TYPE presidio_store_commands_total counter
presidio_store_commands_total 10
presidio_update_processing_seconds_bucket{le="0.001"} 0
presidio_update_processing_seconds_bucket{le="0.01"} 0
presidio_update_processing_seconds_bucket{le="0.1"} 0
presidio_update_processing_seconds_bucket{le="+Inf"} 0
presidio_update_processing_seconds_sum 0
presidio_update_processing_seconds_count 0
`))
	if err != nil {
		t.Fatal(err)
	}
	after, err := parseMetrics(strings.NewReader(`presidio_store_commands_total 250
presidio_update_processing_seconds_bucket{le="0.001"} 10
presidio_update_processing_seconds_bucket{le="0.01"} 98
presidio_update_processing_seconds_bucket{le="0.1"} 100
presidio_update_processing_seconds_bucket{le="+Inf"} 100
presidio_update_processing_seconds_sum 0.5
presidio_update_processing_seconds_count 100
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := after["presidio_store_commands_total"] - before["presidio_store_commands_total"]; got != 240 {
		t.Errorf("commands: got %v, want 240", got)
	}
	h := histogramSummary(before, after, "presidio_update_processing_seconds")
	if h == nil || h.Count != 100 || h.MeanMs != 5 || h.P50Ms != 10 || h.P99Ms != 100 {
		t.Errorf("histogram summary: got %+v", h)
	}
}

func TestPercentilesNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p := percentiles(d)
	if p.P50 != 50 || p.P90 != 90 || p.P99 != 99 || p.Max != 100 {
		t.Errorf("got %+v", p)
	}
	if (percentiles(nil) != Percentiles{}) {
		t.Error("no durations must give zero percentiles")
	}
}

func TestRSSAtPicksSamplesByProgress(t *testing.T) {
	samples := []sample{
		{0, 0, 100 << 20},
		{time.Second, 5, 110 << 20},
		{2 * time.Second, 50, 120 << 20},
		{3 * time.Second, 100, 130 << 20},
	}
	got := rssAt(samples, 100)
	if got.P10 != 120 || got.P50 != 120 || got.P100 != 130 || got.Max != 130 {
		t.Errorf("got %+v", got)
	}
}

// The tracker matches replies to each chat's oldest waiting message,
// counts several replies to one message, and checks the last one's text.
func TestTrackerMatchesRepliesInOrder(t *testing.T) {
	people := newPeople(2)
	tr := &tracker{people: people}
	p := people[1_000_000_000]
	first := &exchange{left: 2, want: "b", measured: true, done: make(chan struct{}), sent: time.Now()}
	second := &exchange{left: 1, want: "c", measured: true, sent: time.Now()}
	p.waiting = []*exchange{first, second}

	tr.onSent(telegramtest.Sent{ChatID: p.u.ID, Text: "a"})
	select {
	case <-first.done:
		t.Fatal("done after one of two replies")
	default:
	}
	tr.onSent(telegramtest.Sent{ChatID: p.u.ID, Text: "b"})
	<-first.done
	tr.onSent(telegramtest.Sent{ChatID: p.u.ID, Text: "wrong"})
	tr.onSent(telegramtest.Sent{ChatID: p.u.ID, Text: "extra"})
	tr.onSent(telegramtest.Sent{ChatID: 42, Text: "nobody"})

	if got := tr.completed.Load(); got != 2 {
		t.Errorf("completed: got %d, want 2", got)
	}
	if got := tr.wrong.Load(); got != 1 {
		t.Errorf("wrong: got %d, want 1", got)
	}
	if got := tr.unmatched.Load(); got != 2 {
		t.Errorf("unmatched: got %d, want 2", got)
	}
	if len(tr.latencies) != 2 {
		t.Errorf("latencies: got %d, want 2", len(tr.latencies))
	}
}

func TestAbsorbingExchangeTakesEveryReply(t *testing.T) {
	people := newPeople(1)
	tr := &tracker{people: people}
	p := people[1_000_000_000]
	x := &exchange{absorb: true, done: make(chan struct{})}
	p.waiting = []*exchange{x}
	for _, text := range []string{"greeting", "picker", "menu"} {
		tr.onSent(telegramtest.Sent{ChatID: p.u.ID, Text: text})
	}
	<-x.done
	if x.got != 3 || strings.Join(x.texts, ",") != "greeting,picker,menu" || len(p.waiting) != 1 {
		t.Errorf("got %d replies %q, %d waiting", x.got, x.texts, len(p.waiting))
	}
	if tr.completed.Load() != 0 || tr.unmatched.Load() != 0 {
		t.Error("warm-up replies must not be counted")
	}
}

func TestParseFlags(t *testing.T) {
	var out strings.Builder
	o, err := parseFlags([]string{"-target", "presidio", "-mode", "rate", "-rate", "50", "-updates", "1000"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.targets) != 1 || o.targets[0] != targetPresidio || len(o.modes) != 1 || o.modes[0] != modeRate || o.rate != 50 || o.updates != 1000 {
		t.Errorf("got %+v", o)
	}
	for _, bad := range [][]string{{"-mode", "x"}, {"-target", "x"}, {"-users", "0"}, {"-rate", "0"}, {"extra"}} {
		if _, err := parseFlags(bad, &out); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
