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
