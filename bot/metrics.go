package bot

import "github.com/prils-lazio/presidio/internal/metrics"

// runtimeMetrics are what /metrics shows of the pipeline.
type runtimeMetrics struct {
	received  *metrics.Counter
	processed *metrics.CounterVec
	latency   *metrics.Histogram
	sends     *metrics.CounterVec
	rateWait  *metrics.FloatCounter
	setAside  *metrics.Counter
	// groupDelay is how long messages to groups (the operators' topics)
	// waited between being queued and being sent.
	groupDelay *metrics.Histogram
	// coalesced counts texts sent inside another's message (coalesce.go).
	coalesced *metrics.Counter
}

func newRuntimeMetrics(r *metrics.Registry) *runtimeMetrics {
	return &runtimeMetrics{
		received: r.NewCounter("presidio_updates_received_total",
			"Updates persisted in the inbox (a redelivery counts again; the session tells it apart)."),
		setAside: r.NewCounter("presidio_updates_set_aside_total",
			"Updates that failed again and again and were set aside (see `presidio updates set-aside`)."),
		processed: r.NewCounterVec("presidio_updates_processed_total",
			"Updates handled, by outcome (ok, panic, error, duplicate).", "outcome"),
		latency: r.NewHistogram("presidio_update_processing_seconds",
			"From an update entering its lane to its effects being persisted.",
			[]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}),
		sends: r.NewCounterVec("presidio_sends_total",
			"Bot API send attempts by outcome (sent, retry, rate_limited, failed, blocked).", "outcome"),
		rateWait: r.NewFloatCounter("presidio_rate_limit_wait_seconds_total",
			"Seconds messages waited for rate limits (own limits and Telegram's 429 retry_after)."),
		groupDelay: r.NewHistogram("presidio_group_queue_delay_seconds",
			"From a message to a group (an operators' topic) being queued to it being sent.",
			[]float64{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900}),
		coalesced: r.NewCounter("presidio_group_texts_coalesced_total",
			"A person's texts to a case's topic sent merged into the message of an earlier one waiting with them (one group message instead of several)."),
	}
}
