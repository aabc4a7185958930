package cases

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// seedCases inserts n closed cases of other people directly (each with a
// topic), as a store that has served n cases holds them, and lists them
// as live (within retention), with two messages each.
func seedCases(tb testing.TB, s *Cases, n int) {
	tb.Helper()
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 1000
	for lo := 0; lo < n; lo += batch {
		var docs, live, msgs []any
		for k := lo; k < lo+batch && k < n; k++ {
			id := fmt.Sprintf("C-9%06d", k)
			for j := range 2 {
				msgs = append(msgs, Message{ID: fmt.Sprintf("seed%d-%d", k, j), Case: id, Direction: DirIn,
					Text: "a question", TopicMessageID: 2_000_000 + 2*k + j, At: at, Seq: int64(2*k + j)})
			}
			docs = append(docs, Case{ID: id, ChatID: int64(5_000_000 + k), Lang: "en", Topic: "permits", Status: StatusClosed,
				ThreadID: 1_000_000 + k, Created: at, Updated: at, Summary: "a question about a permit"})
			live = append(live, liveEntry{CaseID: id, ChatID: int64(5_000_000 + k), Topic: "permits", At: at})
		}
		if _, err := s.cases.InsertMany(ctx, docs); err != nil {
			tb.Fatal(err)
		}
		if _, err := s.live.InsertMany(ctx, live); err != nil {
			tb.Fatal(err)
		}
		if _, err := s.messages.InsertMany(ctx, msgs); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkCaseLookups finds a case by its topic (each operator message in
// the group), a person's latest case and cases (feedback, blocked, /forget)
// the cases nobody took (every minute), a case's conversation (the
// console's case page, /mydata) and the erasure of a person's case
// (/forget), on a store holding 2,000 or
// 20,000 other cases: the cost must not grow with them.
func BenchmarkCaseLookups(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		s, st, _ := newCases(b)
		ctx := context.Background()
		seedCases(b, s, n)
		c, _, err := s.Open(ctx, OpenRequest{ChatID: 77, Lang: "fr", Topic: "health"})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.SetThread(ctx, c.ID, 42, 43); err != nil {
			b.Fatal(err)
		}
		// As in a running process, where the store indexes new collections
		// within seconds (store.IndexNewCollections).
		if err := st.IndexNewCollections(ctx); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("ByThread/cases=%d", n), func(b *testing.B) {
			for b.Loop() {
				if got, ok, err := s.ByThread(ctx, 42); err != nil || !ok || got.ID != c.ID {
					b.Fatalf("%v %v %v", got.ID, ok, err)
				}
			}
		})
		b.Run(fmt.Sprintf("LatestCaseOf/cases=%d", n), func(b *testing.B) {
			for b.Loop() {
				if got, ok, err := s.LatestCaseOf(ctx, 77); err != nil || !ok || got.ID != c.ID {
					b.Fatalf("%v %v %v", got.ID, ok, err)
				}
			}
		})
		b.Run(fmt.Sprintf("CasesOf/cases=%d", n), func(b *testing.B) {
			for b.Loop() {
				if got, err := s.CasesOf(ctx, 77); err != nil || len(got) != 1 {
					b.Fatalf("%v %v", len(got), err)
				}
			}
		})
		for i, text := range []string{"hello", "hello again"} {
			if _, err := s.AddMessage(ctx, Message{ID: fmt.Sprintf("mine%d", i), Case: c.ID, Direction: DirIn, Text: text}); err != nil {
				b.Fatal(err)
			}
		}
		if err := st.IndexNewCollections(ctx); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("Messages/cases=%d", n), func(b *testing.B) {
			for b.Loop() {
				if got, err := s.Messages(ctx, c.ID); err != nil || len(got) != 2 {
					b.Fatalf("%v %v", len(got), err)
				}
			}
		})
		b.Run(fmt.Sprintf("Forget/cases=%d", n), func(b *testing.B) {
			chat := int64(88_000_000)
			for b.Loop() {
				b.StopTimer()
				chat++
				c, _, err := s.Open(ctx, OpenRequest{ChatID: chat, Lang: "fr", Topic: "work"})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.AddMessage(ctx, Message{ID: fmt.Sprintf("f%d", chat), Case: c.ID, Direction: DirIn, Text: "hello"}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := s.Forget(ctx, chat); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("Unanswered/cases=%d", n), func(b *testing.B) {
			for b.Loop() {
				if got, err := s.Unanswered(ctx, time.Nanosecond, time.Now().Add(time.Hour)); err != nil || len(got) != 1 {
					b.Fatalf("%v %v", len(got), err)
				}
			}
		})
	}
}
