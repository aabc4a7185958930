package store

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Every caller of wait returns only after a sync that started after its
// own commit, and concurrent callers share syncs (a group commit).
func TestDurableCoversEveryEarlierCommitWithSharedSyncs(t *testing.T) {
	d := newDurability(t.TempDir(), nil)
	var commits atomic.Int64
	var mu sync.Mutex
	var covered []int64 // commits counted when each sync started
	d.sync = func() error {
		c := commits.Load()
		time.Sleep(2 * time.Millisecond) // a disk's sync
		mu.Lock()
		covered = append(covered, c)
		mu.Unlock()
		return nil
	}
	const callers = 200
	var wg sync.WaitGroup
	bad := atomic.Int64{}
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := commits.Add(1)
			if err := d.wait(); err != nil {
				t.Error(err)
			}
			mu.Lock()
			ok := false
			for _, c := range covered {
				ok = ok || c >= mine
			}
			mu.Unlock()
			if !ok {
				bad.Add(1)
			}
		}()
	}
	wg.Wait()
	if bad.Load() > 0 {
		t.Fatalf("%d callers returned before a sync covered their commit", bad.Load())
	}
	if len(covered) >= callers/2 {
		t.Fatalf("%d syncs for %d concurrent callers: they were not shared", len(covered), callers)
	}
	t.Logf("%d syncs for %d callers", len(covered), callers)
}

// A failed sync is reported to the callers it was for, not swallowed.
func TestDurableReportsAFailedSync(t *testing.T) {
	d := newDurability(t.TempDir(), nil)
	d.sync = func() error { return errors.New("disk gone") }
	if err := d.wait(); err == nil {
		t.Fatal("a failed sync reported success")
	}
	d.sync = func() error { return nil }
	if err := d.wait(); err != nil {
		t.Fatalf("after the disk came back: %v", err)
	}
}

// On the embedded store of this machine, receiving updates syncs the
// write-ahead log before it returns (the caller then confirms receipt to
// Telegram), commits in between do not, and the store's upkeep syncs
// within about a second anyway.
func TestEmbeddedSyncsAtTheBarriers(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("the embedded store's files")
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Config{DataDir: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	var syncs atomic.Int64
	s.OnCommand(func(command string, _ float64) {
		if command == "sync" {
			syncs.Add(1)
		}
	})
	var mode int
	db, _, _ := s.files().table(ctx, s.db.Name(), colInbox)
	if db == nil {
		dbs, _ := s.files().open()
		db = dbs[0]
	}
	before := syncs.Load()
	if err := s.AddToInbox(ctx, []InboxEntry{NewInboxEntry(7, "1", []byte("x"))}); err != nil {
		t.Fatal(err)
	}
	if syncs.Load() == before {
		t.Fatal("receiving updates returned without syncing the log")
	}
	if _, err := os.Stat(filepath.Join(dir, "presidio.sqlite-wal")); err != nil {
		t.Fatalf("no write-ahead log to sync: %v", err)
	}
	_ = db.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&mode)
	if mode != 1 {
		t.Fatalf("synchronous = %d, want 1 (NORMAL): commits would each sync", mode)
	}
	quiet := syncs.Load()
	if _, err := s.Collection("probe").InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}}); err != nil {
		t.Fatal(err)
	}
	if syncs.Load() != quiet {
		t.Fatal("a plain commit synced by itself")
	}
	deadline := time.Now().Add(5 * time.Second)
	for syncs.Load() == quiet && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if syncs.Load() == quiet {
		t.Fatal("the upkeep did not sync within seconds")
	}
}
