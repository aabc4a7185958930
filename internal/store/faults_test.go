package store_test

import (
	"context"
	"testing"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// A message whose insert landed but reported an error (a timeout, a
// step-down) is still handed to the sender when the caller tries again:
// before, the retry saw a duplicate and the message waited for a restart.
func TestEnqueueRetriedAfterAWriteThatLandedStillWaits(t *testing.T) {
	s, faults := storetest.OpenWithFaults(t)
	ctx := context.Background()
	rule := faults.Add(storetest.Rule{Command: "insert", Collection: "outbox", Fault: storetest.LandThenDrop, Times: 1})
	msg := []store.OutboxEntry{{ID: "console:reply:1", Msg: chat.Outgoing{ChatID: 7, Text: "risposta"}}}
	if _, err := s.Enqueue(ctx, msg); err == nil {
		t.Fatal("the injected fault should surface as an error")
	}
	if faults.Hits(rule) != 1 {
		t.Fatal("the fault did not act")
	}
	waiting, err := s.Enqueue(ctx, msg)
	if err != nil || len(waiting) != 1 || waiting[0].ID != "console:reply:1" {
		t.Fatalf("the retry returned %v, %v; the message must still be waiting to be sent", waiting, err)
	}
	if got := pendingOutbox(t, s); len(got) != 1 {
		t.Fatalf("pending after the retry: %d, want 1", len(got))
	}
}

// An update whose insert into the inbox landed but reported an error is
// pending after the retry (not taken for somebody else's).
func TestInboxRetriedAfterAWriteThatLandedIsPending(t *testing.T) {
	s, faults := storetest.OpenWithFaults(t)
	ctx := context.Background()
	faults.Add(storetest.Rule{Command: "insert", Collection: "pending_updates", Fault: storetest.LandThenDrop, Times: 1})
	e := entry(5, "ciao")
	if err := s.AddToInbox(ctx, []store.InboxEntry{e}); err == nil {
		t.Fatal("the injected fault should surface as an error")
	}
	if err := s.AddToInbox(ctx, []store.InboxEntry{e}); err != nil {
		t.Fatalf("the retry: %v", err)
	}
	if got := pendingInbox(t, s); len(got) != 1 || got[0].Key != e.Key {
		t.Fatalf("pending = %v", keys(got))
	}
}
