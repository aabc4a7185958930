package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

func ids(es []store.InboxEntry) []int64 {
	var out []int64
	for _, e := range es {
		out = append(out, e.UpdateID)
	}
	return out
}

func entry(id int64) store.InboxEntry {
	return store.InboxEntry{UpdateID: id, Lane: "42", Raw: []byte(`{"update_id":1}`)}
}

func TestInboxRefusesRedeliveredUpdates(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	fresh, err := s.AddToInbox(ctx, []store.InboxEntry{entry(1), entry(2), entry(3)})
	if err != nil || len(fresh) != 3 {
		t.Fatalf("first delivery: %v %v", ids(fresh), err)
	}
	fresh, err = s.AddToInbox(ctx, []store.InboxEntry{entry(2), entry(3), entry(4)})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(fresh); len(got) != 1 || got[0] != 4 {
		t.Fatalf("redelivery of 2,3 with new 4: fresh = %v, want [4]", got)
	}
	if err := s.SaveWatermark(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if w, err := s.Watermark(ctx); err != nil || w != 2 {
		t.Fatalf("watermark = %d, %v", w, err)
	}
	after, err := s.InboxAfter(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(after); len(got) != 2 || got[0] != 3 || got[1] != 4 {
		t.Fatalf("after the watermark: %v, want [3 4] in order", got)
	}
	if max, _ := s.MaxInboxID(ctx); max != 4 {
		t.Fatalf("MaxInboxID = %d, want 4", max)
	}
}

// The same update delivered by many goroutines at once (webhook retries,
// two pollers) is received exactly once: the unique _id is the claim.
func TestInboxConcurrentDuplicatesReceivedOnce(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	received := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fresh, err := s.AddToInbox(ctx, []store.InboxEntry{entry(7)})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			received += len(fresh)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if received != 1 {
		t.Fatalf("update received %d times, want 1", received)
	}
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
	// A crash and replay persists the same effects again: no second copy.
	replay := []store.OutboxEntry{{ID: "u9.0", Msg: chat.Outgoing{ChatID: 5, Text: "first (replayed)"}}}
	if fresh, err := s.Enqueue(ctx, replay); err != nil || len(fresh) != 0 {
		t.Fatalf("replayed enqueue: %d new, %v; want 0 new", len(fresh), err)
	}
	pending, err := s.PendingOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].Msg.Text != "first" || pending[1].Msg.Text != "second" {
		t.Fatalf("pending = %+v", pending)
	}
	if pending[1].Msg.Buttons[0][0].Data != "ok" {
		t.Fatalf("buttons not kept: %+v", pending[1].Msg.Buttons)
	}
	if err := s.FinishOutbox(ctx, []store.OutboxResult{{ID: "u9.0", Status: store.OutboxSent, TelegramID: 77, At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	pending, _ = s.PendingOutbox(ctx)
	if len(pending) != 1 || pending[0].ID != "u9.1" {
		t.Fatalf("after one sent, pending = %+v", pending)
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
	for id := int64(100); id < 100+store.AppliedMemory+5; id++ {
		s.MarkApplied(id)
	}
	if len(s.Applied) != store.AppliedMemory {
		t.Fatalf("remembers %d ids, want %d", len(s.Applied), store.AppliedMemory)
	}
	if !s.WasApplied(100) || !s.WasApplied(120) || s.WasApplied(121) {
		t.Fatal("WasApplied wrong at the edges")
	}
	// Out of order (webhook): a new update older than a recent one is not
	// mistaken for applied while the memory is not full.
	var w store.Session
	w.MarkApplied(5)
	if w.WasApplied(4) {
		t.Fatal("update 4 arriving after 5 was taken as applied")
	}
}

func TestReopenKeepsDataAndIndexes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s1 := storetest.OpenAt(t, dir)
	if _, err := s1.AddToInbox(ctx, []store.InboxEntry{entry(1)}); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s2 := storetest.OpenAt(t, dir) // creates indexes again: must be a no-op
	fresh, err := s2.AddToInbox(ctx, []store.InboxEntry{entry(1)})
	if err != nil || len(fresh) != 0 {
		t.Fatalf("after reopen, redelivery of 1: fresh=%v err=%v", ids(fresh), err)
	}
}

func TestSweepDeletesOnlyOldFinishedRecords(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	old := store.InboxEntry{UpdateID: 1, Lane: "1", Raw: []byte("{}"), ReceivedAt: time.Now().Add(-10 * 24 * time.Hour)}
	pendingOld := store.InboxEntry{UpdateID: 2, Lane: "1", Raw: []byte("{}"), ReceivedAt: time.Now().Add(-10 * 24 * time.Hour)}
	recent := store.InboxEntry{UpdateID: 3, Lane: "1", Raw: []byte("{}")}
	if _, err := s.AddToInbox(ctx, []store.InboxEntry{old, pendingOld, recent}); err != nil {
		t.Fatal(err)
	}
	// Update 1 is done (watermark 1); 2 is old but not done; 3 is recent.
	n, err := s.SweepInbox(ctx, time.Now().Add(-7*24*time.Hour), 1)
	if err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want 1 (the old done one)", n, err)
	}
	left, _ := s.InboxAfter(ctx, 0)
	if got := ids(left); len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Fatalf("an unprocessed or recent update was swept: left = %v", got)
	}
}
