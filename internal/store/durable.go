package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// durability makes the embedded store's commits survive a power cut at the
// moments that matter, with one sync of the write-ahead log for many
// commits (a group commit).
//
// SQLite syncs the log at every commit by default: about half a
// millisecond each on this kind of disk, and a chat's update costs several
// commits, so the syncs alone capped the bot at a few hundred updates a
// second. A store this process serves to itself runs with
// synchronous=NORMAL instead: a commit is written to the log (so a crash
// of the process loses nothing, as before) but a power cut may undo the
// commits made since the last sync. The log is a sequence, so what a power
// cut keeps is always a prefix of the commits: the state of a crash a
// little earlier. What must not be undone is what the world outside has
// already seen, so Durable is called before it sees it:
//   - before an update's receipt is confirmed to Telegram (AddToInbox syncs
//     before it returns: the poller's next offset, the webhook's 200);
//   - before every message is sent (the sender), which also makes the
//     outcome of the chat's previous message durable: a power cut repeats
//     at most one message per chat, as a crash does;
//   - before the console answers a change (the app's HTTP middleware);
//   - when a command-line run closes the store.
//
// Anything else is synced within a second by the store's upkeep.
type durability struct {
	dir string

	mu      sync.Mutex
	cond    *sync.Cond
	started uint64 // syncs started
	done    uint64 // syncs finished
	running bool
	lastErr error // of the sync numbered done
	errAt   uint64
	took    func(time.Duration)
	sync    func() error // syncLogs; tests replace it
}

func newDurability(dir string, took func(time.Duration)) *durability {
	d := &durability{dir: dir, took: took}
	d.sync = d.syncLogs
	d.cond = sync.NewCond(&d.mu)
	return d
}

// wait returns once a sync that started after the call has finished, so
// every commit made before the call is on the disk. Concurrent callers
// share syncs: while one runs, the callers that arrive wait for the next,
// which one of them runs for all.
func (d *durability) wait() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	need := d.started + 1
	if d.running {
		need++ // the running sync may have started before our commits
	}
	for d.done < need {
		if d.running {
			d.cond.Wait()
			continue
		}
		d.running = true
		d.started++
		n := d.started
		d.mu.Unlock()
		t0 := time.Now()
		err := d.sync()
		if d.took != nil {
			d.took(time.Since(t0))
		}
		d.mu.Lock()
		d.running = false
		d.done = n
		if err != nil {
			d.lastErr, d.errAt = err, n
		}
		d.cond.Broadcast()
	}
	if d.errAt >= need {
		return d.lastErr
	}
	return nil
}

// syncLogs syncs every write-ahead log of the data folder. A log is
// opened afresh each time: SQLite may remove it when the last connection
// closes and make a new one.
func (d *durability) syncLogs() error {
	logs, err := filepath.Glob(filepath.Join(d.dir, "*.sqlite-wal"))
	if err != nil {
		return err
	}
	for _, p := range logs {
		f, err := os.Open(p)
		if os.IsNotExist(err) {
			continue // folded into the database file (which a checkpoint syncs)
		}
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("syncing %s: %w", filepath.Base(p), err)
		}
	}
	return nil
}

// Durable returns once every write this process saw succeed is on the
// disk, so that a power cut cannot undo it. On MongoDB and on a store
// served over TCP every write is already durable when it returns
// (majority write concern; a sync per commit) and Durable does nothing.
// On the embedded store of this machine it syncs the write-ahead log,
// shared with concurrent callers (see durability).
func (s *Store) Durable(ctx context.Context) error {
	if s.durable == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.durable.wait(); err != nil {
		return fmt.Errorf("store: syncing to disk: %w", err)
	}
	return nil
}

// InjectSyncFault is for fault tests: fault runs before every sync of the
// write-ahead log, and its error fails that sync (as a failing disk
// would). nil removes it. It does nothing where Durable does nothing.
func (s *Store) InjectSyncFault(fault func() error) {
	if s.durable == nil {
		return
	}
	s.durable.mu.Lock()
	defer s.durable.mu.Unlock()
	if fault == nil {
		s.durable.sync = s.durable.syncLogs
		return
	}
	s.durable.sync = func() error {
		if err := fault(); err != nil {
			return err
		}
		return s.durable.syncLogs()
	}
}
