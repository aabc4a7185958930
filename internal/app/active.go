package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
)

// Any number of Presidio processes may run on one store; exactly one is
// active. The active holds a lease in the store (store.Lease, with a term
// that only grows) and renews it every LeaseTimeout/5; the others stand by:
// /healthz answers, /readyz says "standby", and in webhook mode they store
// the updates Telegram posts to them in the shared inbox, which the active
// reads. Only the active polls, runs lanes, sends and runs the schedulers.
//
// Fencing: the active counts its lease valid until the start of its last
// successful renewal plus LeaseTimeout, by its own clock, and checks that
// before every send and every commit (bot.Config.Fence). A standby takes
// over only a grace period after that expiry, by its clock. So a process
// that was paused (SIGSTOP, a frozen VM) or cut off from the store sends
// nothing once a standby may have taken over. A process that learns it lost
// the lease stops and reports it on Lost (the command then exits, and its
// supervisor restarts it, as a standby).
type election struct {
	holder string
	ttl    time.Duration
	grace  time.Duration

	mu         sync.Mutex
	lease      store.Lease
	validUntil time.Time // by this process's clock
	active     bool

	lost     chan struct{}
	lostOnce sync.Once
	quit     chan struct{}
	done     chan struct{}
	started  bool
}

// leaseGrace covers clock differences between machines.
const leaseGrace = 2 * time.Second

func newElection(ttl time.Duration) *election {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &election{
		holder: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b)),
		ttl:    ttl, grace: leaseGrace,
		lost: make(chan struct{}), quit: make(chan struct{}), done: make(chan struct{}),
	}
}

// valid reports whether this process may act as the active one now.
func (e *election) valid() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.active && time.Now().Before(e.validUntil)
}

func (e *election) isActive() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.active
}

// Lost is closed when this process was active and lost its lease.
func (a *App) Lost() <-chan struct{} { return a.elect.lost }

// Active reports whether this process is the active one.
func (a *App) Active() bool { return a.elect.isActive() }

// runElection takes the lease now if nobody holds it (becoming active), or
// stands by and takes it when it expires; then keeps it renewed.
func (a *App) runElection(ctx context.Context) error {
	e := a.elect
	took, err := a.tryTake(ctx)
	if err != nil {
		return err
	}
	if !took {
		a.log.Info("another Presidio process is active on this store: standing by", "takes over after", e.ttl)
	}
	e.started = true
	go func() {
		defer close(e.done)
		tick := time.NewTicker(e.ttl / 5)
		defer tick.Stop()
		for {
			select {
			case <-e.quit:
				return
			case <-tick.C:
			}
			select {
			case <-e.lost:
				return // a process that lost its lease stops; it never takes the lease again
			default:
			}
			if !e.isActive() {
				took, err := a.tryTake(context.Background())
				if err != nil {
					a.log.Warn("could not check the lease; will retry", "error", err)
				}
				if took {
					a.log.Info("took over as the active process")
				}
				continue
			}
			a.renew()
		}
	}()
	return nil
}

// tryTake takes the lease if it is free and, if so, starts the work only
// the active process does.
func (a *App) tryTake(ctx context.Context) (bool, error) {
	e := a.elect
	start := time.Now()
	c, cancel := context.WithTimeout(ctx, e.ttl/2)
	l, err := a.Store.TakeLease(c, e.holder, e.ttl, e.grace)
	cancel()
	if errors.Is(err, store.ErrLeaseHeld) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	e.mu.Lock()
	e.lease, e.validUntil, e.active = l, start.Add(e.ttl), true
	e.mu.Unlock()
	if err := a.startActive(ctx); err != nil {
		return true, err
	}
	return true, nil
}

func (a *App) renew() {
	e := a.elect
	start := time.Now()
	e.mu.Lock()
	l := e.lease
	e.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), e.ttl/3)
	l, err := a.Store.RenewLease(ctx, l, e.ttl)
	cancel()
	switch {
	case err == nil:
		e.mu.Lock()
		e.lease, e.validUntil = l, start.Add(e.ttl)
		e.mu.Unlock()
	case errors.Is(err, store.ErrLeaseLost):
		a.loseLease("another process took over")
	default:
		if !e.valid() {
			a.loseLease("the lease could not be renewed in time: " + err.Error())
			return
		}
		a.log.Warn("renewing the lease failed; will retry", "error", err)
	}
}

func (a *App) loseLease(why string) {
	e := a.elect
	e.mu.Lock()
	e.active = false
	e.mu.Unlock()
	a.log.Error("lost the lease: this process sends nothing more and stops", "why", why)
	e.lostOnce.Do(func() { close(e.lost) })
}

// stopElection ends the renewals and, if this process was active, releases
// the lease so another takes over at once.
func (a *App) stopElection(ctx context.Context) {
	e := a.elect
	select {
	case <-e.quit:
		return
	default:
	}
	close(e.quit)
	if e.started {
		<-e.done
	}
	e.mu.Lock()
	wasActive, l := e.active && time.Now().Before(e.validUntil), e.lease
	e.active = false
	e.mu.Unlock()
	if wasActive {
		if err := a.Store.ReleaseLease(ctx, l); err != nil {
			a.log.Warn("could not release the lease; a standby takes over when it expires", "error", err)
		}
	}
}
