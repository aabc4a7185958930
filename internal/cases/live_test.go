package cases

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

func assertNoTraces(t *testing.T, st *store.Store, what string) {
	t.Helper()
	traces, err := FindTraces(context.Background(), st, zNeedles)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		t.Errorf("after %s: %s %s: %s", what, tr.Collection, tr.DocumentID, tr.Where)
	}
}

// A store written before the list of live cases existed gets it built at
// the next start, so /forget still finds the person's cases.
func TestCasesFromBeforeTheLiveListAreForgotten(t *testing.T) {
	s, st, _ := newCases(t)
	ctx := context.Background()
	closed, open, other := fillPerson(t, s)
	if err := st.Collection(colLive).Drop(ctx); err != nil {
		t.Fatal(err)
	}
	s2, err := New(ctx, st) // the next start
	if err != nil {
		t.Fatal(err)
	}
	s2.now = s.now
	mine, err := s2.CasesOf(ctx, zChat)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 2 || mine[0].ID != closed.ID || mine[1].ID != open.ID {
		t.Fatalf("the person's cases after the rebuild: %+v, want %s and %s", mine, closed.ID, open.ID)
	}
	if err := s2.Forget(ctx, zChat); err != nil {
		t.Fatal(err)
	}
	assertNoTraces(t, st, "Forget")
	if c, err := s2.Get(ctx, other.ID); err != nil || c.IsErased() {
		t.Fatalf("somebody else's case: %+v %v", c, err)
	}
	if n := count(t, st, colLive, bson.D{{Key: "_id", Value: other.ID}}); n != 1 {
		t.Errorf("somebody else's case left the live list")
	}
}

// An Open that lost its race (or died) after listing a case number leaves
// an entry without a case: it names the person, so Forget removes it, and
// the sweep removes it once it is old enough to be no Open in progress.
func TestListedCaseNeverCreatedIsUnlisted(t *testing.T) {
	for _, by := range []string{"Forget", "SweepClosed"} {
		t.Run(by, func(t *testing.T) {
			s, st, clock := newCases(t)
			ctx := context.Background()
			if err := s.addLive(ctx, FormatID(999), zChat, "permits"); err != nil {
				t.Fatal(err)
			}
			if by == "Forget" {
				if err := s.Forget(ctx, zChat); err != nil {
					t.Fatal(err)
				}
			} else {
				if _, err := s.SweepClosed(ctx, *clock); err != nil {
					t.Fatal(err)
				}
				if n := count(t, st, colLive, bson.D{{Key: "_id", Value: FormatID(999)}}); n != 1 {
					t.Fatal("an entry of an Open that may still be running was unlisted")
				}
				*clock = clock.Add(2 * orphanAge)
				if _, err := s.SweepClosed(ctx, *clock); err != nil {
					t.Fatal(err)
				}
			}
			assertNoTraces(t, st, by)
		})
	}
}

// BenchmarkForgetWithHistory measures /forget's part in the cases (finding
// and erasing one person's two cases, and CasesOf, which the desk reads
// first) with many cases of other people erased before: its cost must not
// grow with them.
//
//	go test ./internal/cases/ -run '^$' -bench ForgetWithHistory -benchtime 10x
func BenchmarkForgetWithHistory(b *testing.B) {
	for _, history := range []int{0, 2000} {
		b.Run(fmt.Sprintf("erased-cases=%d", history), func(b *testing.B) {
			st := storetest.Open(b)
			ctx := context.Background()
			s, err := New(ctx, st)
			if err != nil {
				b.Fatal(err)
			}
			// History: cases of other people, closed and erased long ago,
			// written straight into the collection (as years of Open,
			// Close and SweepClosed leave them).
			docs := make([]any, history)
			for i := range docs {
				at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
				docs[i] = Case{ID: FormatID(int64(100000 + i)), Topic: "permits", Lang: "ar", Status: StatusClosed,
					Created: at, Updated: at, Closed: at, Erased: at}
			}
			if len(docs) > 0 {
				if _, err := st.Collection(colCases).InsertMany(ctx, docs); err != nil {
					b.Fatal(err)
				}
			}
			if err := st.IndexNewCollections(ctx); err != nil {
				b.Fatal(err)
			}
			chat := int64(5550000)
			for b.Loop() {
				b.StopTimer()
				chat++
				for _, topic := range []string{"permits", "health"} {
					if _, _, err := s.Open(ctx, OpenRequest{ChatID: chat, PersonName: "Amina", Lang: "ar", Topic: topic, Summary: "x"}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				mine, err := s.CasesOf(ctx, chat)
				if err != nil || len(mine) != 2 {
					b.Fatalf("cases of the person: %d %v", len(mine), err)
				}
				if err := s.Forget(ctx, chat); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
