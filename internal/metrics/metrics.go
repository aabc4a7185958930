// Package metrics is a small Prometheus registry: counters, gauges and
// histograms written in the text exposition format on /metrics. It has no
// dependencies and is safe for concurrent use.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds metrics in registration order.
type Registry struct {
	mu      sync.Mutex
	metrics []metric
}

type metric interface {
	write(w io.Writer)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

func (r *Registry) add(m metric) {
	r.mu.Lock()
	r.metrics = append(r.metrics, m)
	r.mu.Unlock()
}

// Write writes every metric in the Prometheus text format.
func (r *Registry) Write(w io.Writer) {
	r.mu.Lock()
	ms := append([]metric(nil), r.metrics...)
	r.mu.Unlock()
	for _, m := range ms {
		m.write(w)
	}
}

// CounterVec is a counter with one label.
type CounterVec struct {
	name, help, label string
	mu                sync.Mutex
	values            map[string]*atomic.Uint64
}

// NewCounterVec registers a counter with one label (e.g. outcome).
func (r *Registry) NewCounterVec(name, help, label string) *CounterVec {
	c := &CounterVec{name: name, help: help, label: label, values: map[string]*atomic.Uint64{}}
	r.add(c)
	return c
}

// Add adds n to the counter for the label value.
func (c *CounterVec) Add(value string, n uint64) {
	c.mu.Lock()
	v, ok := c.values[value]
	if !ok {
		v = new(atomic.Uint64)
		c.values[value] = v
	}
	c.mu.Unlock()
	v.Add(n)
}

// Inc adds one.
func (c *CounterVec) Inc(value string) { c.Add(value, 1) }

// Get returns the current count for the label value.
func (c *CounterVec) Get(value string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.values[value]; ok {
		return v.Load()
	}
	return 0
}

func (c *CounterVec) write(w io.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", c.name, c.help, c.name)
	c.mu.Lock()
	keys := make([]string, 0, len(c.values))
	for k := range c.values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s{%s=%q} %d\n", c.name, c.label, k, c.values[k].Load())
	}
	c.mu.Unlock()
}

// Counter is a counter with no label.
type Counter struct {
	name, help string
	v          atomic.Uint64
}

// NewCounter registers a counter.
func (r *Registry) NewCounter(name, help string) *Counter {
	c := &Counter{name: name, help: help}
	r.add(c)
	return c
}

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Get returns the count.
func (c *Counter) Get() uint64 { return c.v.Load() }

func (c *Counter) write(w io.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", c.name, c.help, c.name, c.name, c.v.Load())
}

// FloatCounter is a counter of a real quantity, such as seconds waited.
type FloatCounter struct {
	name, help string
	mu         sync.Mutex
	v          float64
}

// NewFloatCounter registers a counter of a real quantity.
func (r *Registry) NewFloatCounter(name, help string) *FloatCounter {
	c := &FloatCounter{name: name, help: help}
	r.add(c)
	return c
}

// Add adds x (x ≥ 0).
func (c *FloatCounter) Add(x float64) {
	c.mu.Lock()
	c.v += x
	c.mu.Unlock()
}

func (c *FloatCounter) write(w io.Writer) {
	c.mu.Lock()
	v := c.v
	c.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %g\n", c.name, c.help, c.name, c.name, v)
}

// GaugeFunc reports a value read when scraped.
type GaugeFunc struct {
	name, help string
	f          func() float64
}

// NewGaugeFunc registers a gauge whose value f returns at scrape time.
func (r *Registry) NewGaugeFunc(name, help string, f func() float64) {
	r.add(&GaugeFunc{name: name, help: help, f: f})
}

func (g *GaugeFunc) write(w io.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", g.name, g.help, g.name, g.name, g.f())
}

// Histogram counts observations in cumulative buckets.
type Histogram struct {
	name, help string
	bounds     []float64
	mu         sync.Mutex
	counts     []uint64
	sum        float64
	n          uint64
}

// NewHistogram registers a histogram with the given upper bounds.
func (r *Registry) NewHistogram(name, help string, bounds []float64) *Histogram {
	h := &Histogram{name: name, help: help, bounds: bounds, counts: make([]uint64, len(bounds))}
	r.add(h)
	return h
}

// Observe records one value.
func (h *Histogram) Observe(v float64) {
	h.mu.Lock()
	for i, b := range h.bounds {
		if v <= b {
			h.counts[i]++
		}
	}
	h.sum += v
	h.n++
	h.mu.Unlock()
}

func (h *Histogram) write(w io.Writer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", h.name, h.help, h.name)
	for i, b := range h.bounds {
		fmt.Fprintf(w, "%s_bucket{le=%q} %d\n", h.name, formatBound(b), h.counts[i])
	}
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %g\n%s_count %d\n", h.name, h.n, h.name, h.sum, h.name, h.n)
}

func formatBound(b float64) string {
	if math.IsInf(b, 1) {
		return "+Inf"
	}
	return strings.TrimSuffix(fmt.Sprintf("%g", b), ".0")
}

// CounterFunc reports a count read when scraped.
type CounterFunc struct {
	name, help string
	f          func() uint64
}

// NewCounterFunc registers a counter whose value f returns at scrape time.
func (r *Registry) NewCounterFunc(name, help string, f func() uint64) {
	r.add(&CounterFunc{name: name, help: help, f: f})
}

func (c *CounterFunc) write(w io.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", c.name, c.help, c.name, c.name, c.f())
}

// HistogramVec is a histogram per value of one label.
type HistogramVec struct {
	name, help, label string
	bounds            []float64
	mu                sync.Mutex
	byValue           map[string]*Histogram
}

// NewHistogramVec registers a histogram family with one label.
func (r *Registry) NewHistogramVec(name, help, label string, bounds []float64) *HistogramVec {
	h := &HistogramVec{name: name, help: help, label: label, bounds: bounds, byValue: map[string]*Histogram{}}
	r.add(h)
	return h
}

// Observe records one value for the label's value.
func (h *HistogramVec) Observe(value string, v float64) {
	h.mu.Lock()
	one := h.byValue[value]
	if one == nil {
		one = &Histogram{name: h.name, bounds: h.bounds, counts: make([]uint64, len(h.bounds))}
		h.byValue[value] = one
	}
	h.mu.Unlock()
	one.Observe(v)
}

func (h *HistogramVec) write(w io.Writer) {
	h.mu.Lock()
	values := make([]string, 0, len(h.byValue))
	for v := range h.byValue {
		values = append(values, v)
	}
	h.mu.Unlock()
	sort.Strings(values)
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", h.name, h.help, h.name)
	for _, v := range values {
		h.mu.Lock()
		one := h.byValue[v]
		h.mu.Unlock()
		one.mu.Lock()
		lbl := fmt.Sprintf("%s=%q", h.label, v)
		for i, b := range one.bounds {
			fmt.Fprintf(w, "%s_bucket{%s,le=%q} %d\n", h.name, lbl, formatBound(b), one.counts[i])
		}
		fmt.Fprintf(w, "%s_bucket{%s,le=\"+Inf\"} %d\n%s_sum{%s} %g\n%s_count{%s} %d\n", h.name, lbl, one.n, h.name, lbl, one.sum, h.name, lbl, one.n)
		one.mu.Unlock()
	}
}
