package store

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// adoptEvery is how often a long-running client of another process's
// embedded store checks whether that process has let the data folder go.
const adoptEvery = 500 * time.Millisecond

// adopter lets a long-running Presidio that reached the embedded store
// through another process's socket (local.go) outlive that process: as soon
// as the data folder's lock is free (the serving process stopped or was
// killed: the kernel releases its flock), it starts the store itself, on the
// same socket. This process's mongo-driver client, connected to that socket
// path, reconnects to it by itself; nothing else changes. So two Presidio
// processes on one data folder are an active/standby pair on one machine.
//
// A serving process that is only paused (SIGSTOP) keeps its lock: nobody
// adopts, and the clients wait for it.
type adopter struct {
	cancel context.CancelFunc
	done   chan struct{}

	mu sync.Mutex
	e  *Embedded // the store this process started, once adopted
}

func startAdopting(abs string, logger *slog.Logger) *adopter {
	ctx, cancel := context.WithCancel(context.Background())
	a := &adopter{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		t := time.NewTicker(adoptEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			e, err := startEmbedded(ctx, abs, "127.0.0.1:0", true, false, logger)
			if errors.Is(err, ErrDataDirInUse) {
				continue
			}
			if err != nil {
				logger.Warn("store: the process serving this data folder stopped, and starting the store here failed; will retry", "error", err)
				continue
			}
			a.mu.Lock()
			a.e = e
			a.mu.Unlock()
			logger.Warn("store: the process serving this data folder stopped; this process serves it now", "socket", e.Socket())
			return
		}
	}()
	return a
}

// stop ends the watch and stops the store this process adopted, if any.
// It is safe on a nil adopter.
func (a *adopter) stop() {
	if a == nil {
		return
	}
	a.cancel()
	<-a.done
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.e != nil {
		a.e.Close()
		a.e = nil
	}
}

// files returns the SQLite files of the store this process adopted, or nil
// (none yet, or a nil adopter). Once adopted, the files get the same
// upkeep as a store this process started itself: _id indexes for new
// collections, reclaim after sweeps and erasures, direct deletes.
func (a *adopter) files() *sqliteFiles {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.e == nil {
		return nil
	}
	return a.e.files
}
