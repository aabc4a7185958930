package cases

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// seedNumbers inserts the number claims 1..n directly, as the Opens of a
// store that has served n cases would have left them.
func seedNumbers(tb testing.TB, s *Cases, n int64) {
	tb.Helper()
	ctx := context.Background()
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 1000
	for lo := int64(1); lo <= n; lo += batch {
		var docs []any
		for k := lo; k < lo+batch && k <= n; k++ {
			docs = append(docs, claim{ID: numberKey(k), Kind: kindNumber, N: k, At: at})
		}
		if _, err := s.claims.InsertMany(ctx, docs); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkAllocateNumber claims the next case number on a store that
// holds 2,000 or 20,000 number claims: its cost must not grow with them.
func BenchmarkAllocateNumber(b *testing.B) {
	for _, n := range []int64{2000, 20000} {
		b.Run(fmt.Sprintf("claims=%d", n), func(b *testing.B) {
			s, st, _ := newCases(b)
			ctx := context.Background()
			seedNumbers(b, s, n)
			// As in a running process, where the store indexes new
			// collections within seconds (store.IndexNewCollections).
			if err := st.IndexNewCollections(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := s.allocateNumber(ctx); err != nil { // the first one may migrate
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := s.allocateNumber(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
