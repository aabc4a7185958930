package main

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
)

// Result is one measurement.
type Result struct {
	Target string `json:"target"` // presidio or echo
	Mode   string `json:"mode"`   // throughput or rate
	Store  string `json:"store"`  // embedded, MongoDB or none
	Users  int    `json:"users"`
	// Rate is the rate asked for (rate mode).
	Rate float64 `json:"rate,omitempty"`
	// Sent is how many measured messages were sent; Updates how many got
	// their full, checked or not, reply; Lost how many got none in time.
	Sent int64 `json:"sent"`
	// RepliesPerUpdate is how many messages answer one plain text (the
	// last one is timed), SampleReplies the first person's (shortened).
	RepliesPerUpdate float64  `json:"replies_per_update"`
	SampleReplies    []string `json:"sample_replies"`
	Updates          int64    `json:"updates"`
	Lost             int64    `json:"lost"`
	// Seconds from the first measured send to the last reply.
	Seconds          float64 `json:"seconds"`
	UpdatesPerSecond float64 `json:"updates_per_second"`
	// Latency from queuing an update in the emulator to its reply arriving
	// there, in milliseconds.
	Latency Percentiles `json:"latency_ms"`
	// FirstReplyLatency is the same to the first reply (when a text is
	// answered with several messages).
	FirstReplyLatency Percentiles `json:"first_reply_latency_ms"`
	// ScheduleLag is how late loadgen sent against the schedule (rate
	// mode), in milliseconds: large values mean loadgen itself fell behind.
	ScheduleLag *Percentiles `json:"schedule_lag_ms,omitempty"`
	// PeakRSSMiB is the child's VmHWM at the end (start-up included).
	PeakRSSMiB        float64   `json:"peak_rss_mib"`
	RSSAfterWarmUpMiB float64   `json:"rss_after_warm_up_mib"`
	RSSMiB            RSSPoints `json:"rss_mib"`
	// StoreCommands are database round trips during the measurement.
	// BotProcessing is Presidio's own presidio_update_processing_seconds:
	// from an update entering its lane to its replies and session being
	// persisted.
	BotProcessing          *HistogramSummary `json:"bot_processing,omitempty"`
	StoreCommands          int64             `json:"store_commands,omitempty"`
	StoreCommandsPerUpdate *float64          `json:"store_commands_per_update,omitempty"`
	DataDirMiB             float64           `json:"data_dir_mib,omitempty"`
	// CPU used over the measurement, in percent of one core.
	ChildCPUPercent   float64 `json:"child_cpu_percent"`
	LoadgenCPUPercent float64 `json:"loadgen_cpu_percent"`
	// OtherCPUPercent is what the rest of the machine used meanwhile
	// (kernel work on their behalf included).
	OtherCPUPercent  float64  `json:"other_cpu_percent"`
	WrongReplies     int64    `json:"wrong_replies"`
	UnmatchedReplies int64    `json:"unmatched_replies"`
	ChildWarnings    int      `json:"child_warnings"`
	Notes            []string `json:"notes,omitempty"`
}

// Percentiles in milliseconds.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// HistogramSummary summarizes a histogram: P50Ms and P99Ms are the upper
// bounds of the buckets holding those percentiles (+Inf above the last
// bound).
type HistogramSummary struct {
	Count  int64   `json:"count"`
	MeanMs float64 `json:"mean_ms"`
	P50Ms  float64 `json:"p50_at_most_ms"`
	P99Ms  float64 `json:"p99_at_most_ms"`
}

// RSSPoints is the child's resident memory once 10%, 50% and 100% of the
// updates were answered, and the largest sample, in MiB.
type RSSPoints struct {
	P10  float64 `json:"at_10_percent"`
	P50  float64 `json:"at_50_percent"`
	P100 float64 `json:"at_100_percent"`
	Max  float64 `json:"max_sample"`
}

type report struct {
	Command string    `json:"command"`
	Machine string    `json:"machine"`
	Results []*Result `json:"results"`
}

func describeMachine() string {
	parts := []string{fmt.Sprintf("%s/%s, %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())}
	if m := cpuModel(); m != "" {
		parts = append(parts, m)
	}
	if t := memTotal(); t > 0 {
		parts = append(parts, fmt.Sprintf("%.1f GiB RAM", float64(t)/(1<<30)))
	}
	parts = append(parts, runtime.Version())
	return strings.Join(parts, ", ")
}

func writeMarkdown(w io.Writer, command string, results []*Result) {
	fmt.Fprintf(w, "Command: `%s`  \nMachine: %s\n\n", command, describeMachine())
	if len(results) == 0 {
		fmt.Fprintln(w, "(no results)")
		return
	}
	fmt.Fprintln(w, "| target | store | mode | users | updates | seconds | updates/s | p50 ms | p90 ms | p99 ms | max ms | store round trips/update | lost | wrong replies |")
	fmt.Fprintln(w, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, r := range results {
		mode := r.Mode
		if r.Mode == modeRate {
			mode = fmt.Sprintf("rate %.0f/s", r.Rate)
		}
		rt := "–"
		if r.StoreCommandsPerUpdate != nil {
			rt = fmt.Sprintf("%.2f", *r.StoreCommandsPerUpdate)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d | %d | %.1f | %.0f | %.1f | %.1f | %.1f | %.1f | %s | %d | %d |\n",
			r.Target, r.Store, mode, r.Users, r.Updates, r.Seconds, r.UpdatesPerSecond,
			r.Latency.P50, r.Latency.P90, r.Latency.P99, r.Latency.Max, rt, r.Lost, r.WrongReplies)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | mode | peak RSS (VmHWM) MiB | RSS after warm-up | RSS at 10% | RSS at 50% | RSS at 100% | max RSS sample | bot CPU % | loadgen CPU % | other CPU % | store files MiB |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, r := range results {
		files := "–"
		if r.DataDirMiB > 0 {
			files = fmt.Sprintf("%.1f", r.DataDirMiB)
		}
		fmt.Fprintf(w, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f | %s |\n",
			r.Target, r.Mode, r.PeakRSSMiB, r.RSSAfterWarmUpMiB, r.RSSMiB.P10, r.RSSMiB.P50, r.RSSMiB.P100, r.RSSMiB.Max,
			r.ChildCPUPercent, r.LoadgenCPUPercent, r.OtherCPUPercent, files)
	}
	var notes []string
	for _, r := range results {
		quoted := make([]string, len(r.SampleReplies))
		for i, t := range r.SampleReplies {
			quoted[i] = strconv.Quote(t)
		}
		notes = append(notes, fmt.Sprintf("%s %s: a plain text was answered with %.3g message(s) (the last one is timed); the first person's: %s", r.Target, r.Mode, r.RepliesPerUpdate, strings.Join(quoted, ", ")))
		if r.RepliesPerUpdate > 1 {
			f := r.FirstReplyLatency
			notes = append(notes, fmt.Sprintf("%s %s: to the first reply: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", r.Target, r.Mode, f.P50, f.P90, f.P99, f.Max))
		}
		if h := r.BotProcessing; h != nil {
			notes = append(notes, fmt.Sprintf("%s %s: inside the bot, from lane start to replies and session persisted (presidio_update_processing_seconds): mean %.1f ms, p50 ≤ %g ms, p99 ≤ %g ms", r.Target, r.Mode, h.MeanMs, h.P50Ms, h.P99Ms))
		}
		if r.ScheduleLag != nil {
			notes = append(notes, fmt.Sprintf("%s %s: loadgen sent %.1f ms late at p99 (max %.1f ms) against the %.0f/s schedule", r.Target, r.Mode, r.ScheduleLag.P99, r.ScheduleLag.Max, r.Rate))
		}
		if r.UnmatchedReplies > 0 {
			notes = append(notes, fmt.Sprintf("%s %s: %d replies nobody was waiting for", r.Target, r.Mode, r.UnmatchedReplies))
		}
		for _, n := range r.Notes {
			notes = append(notes, fmt.Sprintf("%s %s: %s", r.Target, r.Mode, n))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
}
