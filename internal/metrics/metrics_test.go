package metrics

import (
	"strings"
	"testing"
)

func TestExposition(t *testing.T) {
	r := NewRegistry()
	c := r.NewCounterVec("sends_total", "Sends.", "outcome")
	c.Inc("sent")
	c.Add("rate_limited", 2)
	h := r.NewHistogram("latency_seconds", "Latency.", []float64{0.01, 0.1})
	h.Observe(0.005)
	h.Observe(0.05)
	h.Observe(3)
	r.NewGaugeFunc("depth", "Depth.", func() float64 { return 7 })
	var b strings.Builder
	r.Write(&b)
	for _, want := range []string{
		`sends_total{outcome="rate_limited"} 2`,
		`sends_total{outcome="sent"} 1`,
		`latency_seconds_bucket{le="0.01"} 1`,
		`latency_seconds_bucket{le="0.1"} 2`,
		`latency_seconds_bucket{le="+Inf"} 3`,
		`latency_seconds_count 3`,
		"depth 7",
		"# TYPE latency_seconds histogram",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("exposition lacks %q:\n%s", want, b.String())
		}
	}
}
