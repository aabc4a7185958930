package cases

import (
	"context"
	"slices"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// setHint writes the case number hint by hand (n < 0: deletes it).
func setHint(t *testing.T, s *Cases, n int64) {
	t.Helper()
	ctx := context.Background()
	var err error
	if n < 0 {
		_, err = s.claims.DeleteOne(ctx, bson.D{{Key: "_id", Value: numberHintKey}})
	} else {
		_, err = s.claims.ReplaceOne(ctx, bson.D{{Key: "_id", Value: numberHintKey}},
			bson.D{{Key: "_id", Value: numberHintKey}, {Key: "n", Value: n}}, options.Replace().SetUpsert(true))
	}
	if err != nil {
		t.Fatal(err)
	}
}

func hintOf(t *testing.T, s *Cases) int64 {
	t.Helper()
	var h claim
	if err := s.claims.FindOne(context.Background(), bson.D{{Key: "_id", Value: numberHintKey}}).Decode(&h); err != nil {
		t.Fatalf("reading the hint: %v", err)
	}
	return h.N
}

func allocate(t *testing.T, s *Cases) int64 {
	t.Helper()
	n, err := s.allocateNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAllocateNumberConcurrentUniqueAndIncreasing(t *testing.T) {
	s, st, _ := newCases(t)
	const workers, each = 16, 8
	got := make([][]int64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range each {
				n, err := s.allocateNumber(context.Background())
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				got[w] = append(got[w], n)
			}
		})
	}
	wg.Wait()
	var all []int64
	for w, seq := range got {
		if !slices.IsSorted(seq) || len(slices.Compact(slices.Clone(seq))) != len(seq) {
			t.Errorf("worker %d got %v, not increasing", w, seq)
		}
		all = append(all, seq...)
	}
	slices.Sort(all)
	for i, n := range all {
		if n != int64(i+1) {
			t.Fatalf("numbers %v, want 1..%d each once", all, workers*each)
		}
	}
	if got := count(t, st, colClaims, bson.D{{Key: "kind", Value: kindNumber}}); got != workers*each {
		t.Errorf("%d number claims, want %d", got, workers*each)
	}
	if h := hintOf(t, s); h < 1 || h > workers*each {
		t.Errorf("hint %d, want a claimed number", h)
	}
	if n := allocate(t, s); n != workers*each+1 {
		t.Errorf("next number %d, want %d", n, workers*each+1)
	}
}

func TestAllocateNumberWithoutHintContinuesAfterTheHighest(t *testing.T) {
	s, _, _ := newCases(t)
	if n := allocate(t, s); n != 1 {
		t.Fatalf("first number on an empty store = %d", n)
	}
	setHint(t, s, -1)
	// A store written before the hint: 1..300 claimed, no hint.
	seedMore(t, s, 2, 300)
	if n := allocate(t, s); n != 301 {
		t.Errorf("number on a store without hint = %d, want 301", n)
	}
	if h := hintOf(t, s); h != 301 {
		t.Errorf("hint after the migration = %d, want 301", h)
	}
	if n := allocate(t, s); n != 302 {
		t.Errorf("next = %d, want 302", n)
	}
}

func TestAllocateNumberHintBehindOrWrong(t *testing.T) {
	s, _, _ := newCases(t)
	seedMore(t, s, 1, 1000)
	for _, tc := range []struct {
		name string
		hint int64
	}{
		{"lagging far", 3},
		{"lagging one", 999},
		{"zero", 0},
		{"removed", -1},
		{"above every claim (never written so; a restored or edited store)", 1_000_000},
	} {
		var highest int64
		if err := s.claims.FindOne(context.Background(), bson.D{{Key: "kind", Value: kindNumber}},
			options.FindOne().SetSort(bson.D{{Key: "n", Value: -1}})).Decode(&struct {
			N *int64 `bson:"n"`
		}{&highest}); err != nil {
			t.Fatal(err)
		}
		setHint(t, s, tc.hint)
		if n := allocate(t, s); n != highest+1 {
			t.Errorf("hint %s (%d): got %d, want %d", tc.name, tc.hint, n, highest+1)
		}
	}
}

func TestAllocateNumberNeverReusesAfterHintRemoved(t *testing.T) {
	s, _, _ := newCases(t)
	seen := map[int64]bool{}
	last := int64(0)
	for i := range 40 {
		if i%7 == 3 {
			setHint(t, s, -1)
		}
		if i%11 == 5 {
			setHint(t, s, 1)
		}
		n := allocate(t, s)
		if seen[n] || n <= last {
			t.Fatalf("allocation %d gave %d after %d (seen before: %v)", i, n, last, seen[n])
		}
		seen[n], last = true, n
	}
}

// seedMore inserts the number claims lo..hi directly.
func seedMore(t *testing.T, s *Cases, lo, hi int64) {
	t.Helper()
	var docs []any
	for k := lo; k <= hi; k++ {
		docs = append(docs, claim{ID: numberKey(k), Kind: kindNumber, N: k})
	}
	if _, err := s.claims.InsertMany(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
}
