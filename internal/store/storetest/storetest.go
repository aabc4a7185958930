// Package storetest gives tests a real, empty store: the embedded FerretDB
// in a temporary folder, or, when MONGODB_URI is set, a fresh database on
// that MongoDB which is dropped at the end of the test. Never a fake.
package storetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
)

var counter atomic.Int64

// Open returns a store for one test and closes it when the test ends.
func Open(t testing.TB) *store.Store {
	t.Helper()
	return OpenAt(t, t.TempDir())
}

// OpenAt opens the store with its embedded files in dir, so a test can
// close it and open it again on the same data (a restart). With MONGODB_URI
// set, the database name is derived from dir, so reopening finds the data.
func OpenAt(t testing.TB, dir string) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := store.Config{URI: os.Getenv("MONGODB_URI"), DataDir: dir}
	if cfg.URI != "" {
		cfg.Database = DatabaseFor(dir)
	} else if os.Getenv("PRESIDIO_TEST_STORE") == "wire" {
		cfg.URI = wireURI(t, ctx, dir)
	}
	s, err := store.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if cfg.URI != "" {
			_ = s.Drop(ctx)
		}
		_ = s.Close(ctx)
	})
	return s
}

var (
	wireMu  sync.Mutex
	wireFor = map[string]*store.Embedded{}
)

// wireURI serves the embedded store of dir over TCP (once per folder, for
// the whole test) and returns its URI. With PRESIDIO_TEST_STORE=wire every
// test store is reached that way: every write then goes through the
// driver and FerretDB, the MongoDB code path, instead of the direct
// writer a process uses on the store it opened itself (.ci/run runs the
// store's tests both ways).
func wireURI(t testing.TB, ctx context.Context, dir string) string {
	wireMu.Lock()
	defer wireMu.Unlock()
	if e := wireFor[dir]; e != nil {
		return e.URI()
	}
	e, err := store.StartEmbedded(ctx, dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("serving the embedded store: %v", err)
	}
	wireFor[dir] = e
	t.Cleanup(func() {
		wireMu.Lock()
		delete(wireFor, dir)
		wireMu.Unlock()
		e.Close()
	})
	return e.URI()
}

var (
	namesMu sync.Mutex
	names   = map[string]string{}
)

// DatabaseFor names a test database after a data folder (stable for the
// same folder within one test binary run).
func DatabaseFor(dir string) string {
	namesMu.Lock()
	defer namesMu.Unlock()
	if n, ok := names[dir]; ok {
		return n
	}
	n := fmt.Sprintf("presidio_test_%d_%d", os.Getpid(), counter.Add(1))
	names[dir] = strings.ReplaceAll(n, "-", "_")
	return names[dir]
}
