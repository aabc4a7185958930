package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// Of many processes taking the lease at once, exactly one becomes active,
// also on the embedded store (unique inserts, not conditional updates);
// the others are told it is held.
func TestLeaseHasOneWinner(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	for round := range 5 {
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.TakeLease(ctx, fmt.Sprint("p", i), time.Minute, 0)
				switch {
				case err == nil:
					wins.Add(1)
				case !errors.Is(err, store.ErrLeaseHeld):
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("round %d: %d processes became active, want 1", round, wins.Load())
		}
		cur, err := s.CurrentLease(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ReleaseLease(ctx, cur); err != nil {
			t.Fatal(err)
		}
	}
}

// A lease not renewed expires and another takes the next term; the old
// holder's renewal then reports the loss (fencing).
func TestExpiredLeaseIsTakenOverAndTheOldHolderLearnsIt(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	a, err := s.TakeLease(ctx, "a", 200*time.Millisecond, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeLease(ctx, "b", time.Minute, 0); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("taken while held: %v", err)
	}
	if a, err = s.RenewLease(ctx, a, 200*time.Millisecond); err != nil {
		t.Fatalf("renewal while held: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	b, err := s.TakeLease(ctx, "b", time.Minute, 0)
	if err != nil || b.Term != a.Term+1 {
		t.Fatalf("take over: %+v, %v", b, err)
	}
	if _, err := s.RenewLease(ctx, a, time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("the old holder's renewal: %v, want ErrLeaseLost", err)
	}
	if _, err := s.RenewLease(ctx, b, time.Minute); err != nil {
		t.Fatalf("the new holder's renewal: %v", err)
	}
}
