package cases

import (
	"context"
	"testing"

	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// A change whose revision lands in the store and then reports an error (a
// timeout, a step-down) is recognized as done by its own token: the
// referral is recorded once, and the call reports success.
func TestChangeThatLandedAndReportedAnErrorCountsOnce(t *testing.T) {
	st, faults := storetest.OpenWithFaults(t)
	ctx := context.Background()
	s, err := New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := s.Open(ctx, request(31, "health"))
	if err != nil {
		t.Fatal(err)
	}
	rule := faults.Add(storetest.Rule{Command: "insert", Collection: colRevisions, Fault: storetest.LandThenDrop, Times: 1})
	got, err := s.Refer(ctx, c.ID, "asl-frascati", Operator{ID: "tg:1", Name: "Giulia"}, "")
	if err != nil {
		t.Fatalf("Refer after a write that landed: %v", err)
	}
	if faults.Hits(rule) != 1 {
		t.Fatalf("the fault acted %d times", faults.Hits(rule))
	}
	again, err := s.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Referrals) != 1 || len(again.Referrals) != 1 || again.Status != StatusReferred {
		t.Fatalf("referrals: returned %d, stored %d (%s); want 1", len(got.Referrals), len(again.Referrals), again.Status)
	}
}

// A writer that stops between its revision and the copy in "cases" (the
// copy's write fails, as when the process dies there) leaves the change
// stored: the next read by id returns it and brings the copy forward, so
// lists show it too.
func TestChangeWhoseCopyWasNotWrittenIsRead(t *testing.T) {
	st, faults := storetest.OpenWithFaults(t)
	ctx := context.Background()
	s, err := New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := s.Open(ctx, request(32, "health"))
	if err != nil {
		t.Fatal(err)
	}
	rule := faults.Add(storetest.Rule{Command: "update", Collection: colCases, Fault: storetest.FailBefore, Times: 1})
	if _, err := s.Close(ctx, c.ID, "answered", Operator{ID: "tg:1", Name: "Giulia"}); err != nil {
		t.Fatalf("Close whose copy failed: %v", err)
	}
	if faults.Hits(rule) != 1 {
		t.Fatalf("the fault acted %d times", faults.Hits(rule))
	}
	if list, err := s.List(ctx, Filter{Status: StatusClosed}); err != nil || len(list) != 0 {
		t.Fatalf("the copy was written after all (%d closed listed, %v): the fault missed it", len(list), err)
	}
	got, err := s.Get(ctx, c.ID)
	if err != nil || got.Status != StatusClosed || got.Outcome != "answered" {
		t.Fatalf("Get after the lost copy: %s %q %v; want closed", got.Status, got.Outcome, err)
	}
	if list, err := s.List(ctx, Filter{Status: StatusClosed}); err != nil || len(list) != 1 {
		t.Fatalf("the copy was not brought forward: %d closed listed, %v", len(list), err)
	}
	if _, open, _ := s.OpenCaseOf(ctx, 32, "health"); open {
		t.Fatal("the closed case still counts as open")
	}
}
