package app

import (
	"context"
	"sync/atomic"
	"time"
)

// observeStore puts the store's headroom on /metrics: the latency of each
// kind of command (insert, update, find, delete…), and how many people are
// stored, refreshed every few minutes (an operator compares it with the
// size the README says the embedded store serves).
func (a *App) observeStore() {
	latency := a.Metrics.NewHistogramVec("presidio_store_command_seconds",
		"Store round trips by command (insert, update, find, delete, getMore…).", "command",
		[]float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5})
	a.Store.OnCommand(func(command string, seconds float64) { latency.Observe(command, seconds) })
	var people atomic.Int64
	people.Store(-1)
	a.Metrics.NewGaugeFunc("presidio_stored_people", "Sessions in the store (people and case topics), refreshed every 5 minutes; -1 until first counted.",
		func() float64 { return float64(people.Load()) })
	go func() {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			n, err := a.Store.StoredPeople(ctx)
			cancel()
			if err == nil {
				people.Store(n)
			}
			select {
			case <-a.quit:
				return
			case <-time.After(5 * time.Minute):
			}
		}
	}()
}
