package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

func keys(es []store.InboxEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Key)
	}
	return out
}

func entry(id int64, text string) store.InboxEntry {
	return store.NewInboxEntry(id, "42", []byte(fmt.Sprintf(`{"update_id":%d,"message":{"text":%q}}`, id, text)))
}

func pendingInbox(t *testing.T, s *store.Store) []store.InboxEntry {
	t.Helper()
	p, err := s.PendingInbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A redelivered update (same id, same bytes) is stored once; a different
// update that reuses an id (ids restart lower after a week of silence, or
// an emulator restarts them) is a new entry.
func TestInboxKeepsOneCopyOfARedeliveryButNotOfAReusedID(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	if err := s.AddToInbox(ctx, []store.InboxEntry{entry(1, "a"), entry(2, "b")}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToInbox(ctx, []store.InboxEntry{entry(2, "b"), entry(1, "reused id, new update")}); err != nil {
		t.Fatalf("a redelivery must not be an error: %v", err)
	}
	if got := pendingInbox(t, s); len(got) != 3 {
		t.Fatalf("pending = %v, want 1/a, 2/b and the new 1", keys(got))
	}
	if err := s.DoneInbox(ctx, []string{entry(2, "b").Key, entry(1, "a").Key}); err != nil {
		t.Fatal(err)
	}
	if got := pendingInbox(t, s); len(got) != 1 || got[0].Key != entry(1, "reused id, new update").Key {
		t.Fatalf("after two done, pending = %v", keys(got))
	}
}

// The same update delivered by many goroutines at once (webhook retries,
// two receivers) is stored once and nobody gets an error.
func TestInboxConcurrentDuplicatesStoredOnce(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.AddToInbox(ctx, []store.InboxEntry{entry(7, "x")}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := pendingInbox(t, s); len(got) != 1 {
		t.Fatalf("stored %d times, want 1", len(got))
	}
}

// PendingInbox reads a bounded page whatever the backlog; a page and the
// next, after the first is done, cover the backlog in arrival order.
func TestPendingInboxIsReadInPages(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	var all []store.InboxEntry
	for i := range 25 {
		all = append(all, entry(int64(100+i), "m"))
	}
	if err := s.AddToInbox(ctx, all); err != nil {
		t.Fatal(err)
	}
	first, err := s.PendingInbox(ctx, 10)
	if err != nil || len(first) != 10 {
		t.Fatalf("first page: %d, %v", len(first), err)
	}
	if err := s.DoneInbox(ctx, keys(first)); err != nil {
		t.Fatal(err)
	}
	rest := pendingInbox(t, s)
	if len(rest) != 15 {
		t.Fatalf("rest = %d, want 15", len(rest))
	}
	seen := map[string]bool{}
	for _, e := range append(first, rest...) {
		seen[e.Key] = true
	}
	if len(seen) != 25 {
		t.Fatalf("the two pages cover %d of 25 updates", len(seen))
	}
}

// Setting an update aside takes it off the queue and keeps it, without its
// content, in the list a coordinator sees.
func TestSetAsideMovesAnUpdateOutOfTheQueue(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	e := entry(9, "poison")
	if err := s.AddToInbox(ctx, []store.InboxEntry{e, entry(10, "fine")}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAside(ctx, e, "loading the session: boom"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAside(ctx, e, "again"); err != nil { // a crash between copy and delete, repeated
		t.Fatal(err)
	}
	if got := pendingInbox(t, s); len(got) != 1 || got[0].UpdateID != 10 {
		t.Fatalf("pending = %v", keys(got))
	}
	aside, err := s.SetAsideUpdates(ctx, 10)
	if err != nil || len(aside) != 1 || aside[0].Reason != "loading the session: boom" || len(aside[0].Raw) != 0 {
		t.Fatalf("set aside = %+v, %v", aside, err)
	}
}

func pendingOutbox(t *testing.T, s *store.Store) []store.OutboxEntry {
	t.Helper()
	var out []store.OutboxEntry
	if err := s.PendingOutbox(context.Background(), func(e store.OutboxEntry) { out = append(out, e) }); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b store.OutboxEntry) int { return int(a.Seq - b.Seq) })
	return out
}

func TestOutboxIsIdempotentAndOrdered(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	batch := []store.OutboxEntry{
		{ID: "u9.0", Seq: store.NextSeq(), Msg: chat.Outgoing{ChatID: 5, Text: "first"}},
		{ID: "u9.1", Seq: store.NextSeq(), Msg: chat.Outgoing{ChatID: 5, Text: "second", Buttons: [][]chat.Button{{{Text: "OK", Data: "ok"}}}}},
	}
	if fresh, err := s.Enqueue(ctx, batch); err != nil || len(fresh) != 2 {
		t.Fatalf("enqueue: %d new, %v", len(fresh), err)
	}
	// A crash and replay persists the same effects again: no second copy;
	// the message is still waiting, so it is returned (the sender holds it
	// once).
	replay := []store.OutboxEntry{{ID: "u9.0", Msg: chat.Outgoing{ChatID: 5, Text: "first (replayed)"}}}
	if fresh, err := s.Enqueue(ctx, replay); err != nil || len(fresh) != 1 || fresh[0].ID != "u9.0" {
		t.Fatalf("replayed enqueue: %v, %v; want u9.0 still waiting", fresh, err)
	}
	pending := pendingOutbox(t, s)
	if len(pending) != 2 || pending[0].Msg.Text != "first" || pending[1].Msg.Text != "second" {
		t.Fatalf("pending = %+v", pending)
	}
	if pending[1].Msg.Buttons[0][0].Data != "ok" {
		t.Fatalf("buttons not kept: %+v", pending[1].Msg.Buttons)
	}
	if err := s.FinishOutbox(ctx, []store.OutboxResult{{ID: "u9.0", Status: store.OutboxSent, TelegramID: 77, At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	pending = pendingOutbox(t, s)
	if len(pending) != 1 || pending[0].ID != "u9.1" {
		t.Fatalf("after one sent, pending = %+v", pending)
	}
	// Enqueueing a finished message again (a second Send of an
	// announcement) never sends it twice.
	if fresh, err := s.Enqueue(ctx, replay); err != nil || len(fresh) != 0 {
		t.Fatalf("re-enqueue of a sent message: %v, %v; want nothing waiting", fresh, err)
	}
	if pending = pendingOutbox(t, s); len(pending) != 1 {
		t.Fatalf("re-enqueue of a sent message made it pending: %+v", pending)
	}
	sent, err := s.OutboxEntryByID(ctx, "u9.0")
	if err != nil || sent.TelegramID != 77 || sent.Status != store.OutboxSent {
		t.Fatalf("sent entry = %+v, %v", sent, err)
	}
}

func TestSessionAndBlockedFlagDoNotOverwriteEachOther(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	sess, err := s.LoadSession(ctx, "42", 42)
	if err != nil || sess.Lang != "" || len(sess.Applied) != 0 {
		t.Fatalf("new session = %+v, %v", sess, err)
	}
	sess.Lang = "uk"
	sess.MarkApplied(10)
	if err := s.SaveSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBlocked(ctx, "42", 42, true); err != nil {
		t.Fatal(err)
	}
	sess.MarkApplied(11)
	if err := s.SaveSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadSession(ctx, "42", 42)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lang != "uk" || !got.Blocked || !got.WasApplied(10) || !got.WasApplied(11) || got.WasApplied(12) {
		t.Fatalf("session = %+v", got)
	}
}

func TestWasAppliedRemembersRecentUpdates(t *testing.T) {
	var s store.Session
	for fp := int64(100); fp < 100+store.AppliedMemory+5; fp++ {
		s.MarkApplied(fp)
	}
	if len(s.Applied) != store.AppliedMemory {
		t.Fatalf("remembers %d, want %d", len(s.Applied), store.AppliedMemory)
	}
	last := int64(100 + store.AppliedMemory + 4)
	if s.WasApplied(100) || !s.WasApplied(105) || !s.WasApplied(last) || s.WasApplied(last+1) {
		t.Fatal("WasApplied wrong at the edges")
	}
}

func TestReopenKeepsDataAndIndexes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s1 := storetest.OpenAt(t, dir)
	if err := s1.AddToInbox(ctx, []store.InboxEntry{entry(1, "a")}); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s2 := storetest.OpenAt(t, dir) // creates indexes again: must be a no-op
	if err := s2.AddToInbox(ctx, []store.InboxEntry{entry(1, "a")}); err != nil {
		t.Fatal(err)
	}
	if got := pendingInbox(t, s2); len(got) != 1 {
		t.Fatalf("after reopen and a redelivery, pending = %v", keys(got))
	}
}

// The outbox sweep deletes old history in batches (a statement per batch,
// never one that grows with the backlog) and keeps recent messages.
func TestSweepDeletesOldHistoryInBatches(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	old := time.Now().Add(-40 * 24 * time.Hour)
	var batch []store.OutboxEntry
	for i := range 2500 {
		batch = append(batch, store.OutboxEntry{ID: fmt.Sprint("old", i), Msg: chat.Outgoing{ChatID: 1, Text: "x"}, CreatedAt: old})
	}
	batch = append(batch, store.OutboxEntry{ID: "recent", Msg: chat.Outgoing{ChatID: 1, Text: "y"}})
	if _, err := s.Enqueue(ctx, batch); err != nil {
		t.Fatal(err)
	}
	n, err := s.SweepOutbox(ctx, time.Now().Add(-30*24*time.Hour))
	if err != nil || n != 2500 {
		t.Fatalf("swept %d, %v; want 2500", n, err)
	}
	if _, err := s.OutboxEntryByID(ctx, "recent"); err != nil {
		t.Fatalf("a recent message was swept: %v", err)
	}
}
