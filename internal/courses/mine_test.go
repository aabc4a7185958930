package courses

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// seedOtherCourses adds n courses ("o000"...) with 10 learners and 5
// people waiting each, written directly (other people, chat ids from
// 1,000,000).
func seedOtherCourses(tb testing.TB, c *Courses, st *store.Store, n int) {
	tb.Helper()
	ctx := context.Background()
	var list []Course
	for i := range n {
		list = append(list, testCourse(fmt.Sprintf("o%03d", i), 10, "2025-10-06"))
	}
	if _, err := c.Upsert(ctx, list); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		id := fmt.Sprintf("o%03d", i)
		docs := make([]any, 0, 15)
		for k := 1; k <= 10; k++ {
			chat := int64(1_000_000 + i*100 + k)
			docs = append(docs, placeDoc{ID: placeID(id, k), Course: id, N: k, Token: "t", Holder: holderOf(id, chat), Kind: kindEnrolled, ChatID: chat, Name: "Altra"})
		}
		for k := 1; k <= 5; k++ {
			chat := int64(1_000_000 + i*100 + 50 + k)
			docs = append(docs, placeDoc{ID: waitID(id, chat), Course: id, Holder: waitID(id, chat), Kind: kindWaiting, ChatID: chat, Seq: int64(k), Name: "Altra"})
		}
		if _, err := st.Collection(placesPrefix+id).InsertMany(ctx, docs); err != nil {
			tb.Fatal(err)
		}
	}
	if err := st.IndexNewCollections(ctx); err != nil {
		tb.Fatal(err)
	}
}

// myCoursesScanning is MyCourses as it was before the person's list was
// read: every course of the catalogue, every place of each (the same
// reading of one course, addMine). The test checks the two agree.
func myCoursesScanning(ctx context.Context, c *Courses, chatID int64) (Mine, error) {
	all, err := c.List(ctx)
	if err != nil {
		return Mine{}, err
	}
	var m Mine
	now := c.now()
	for _, co := range all {
		if err := c.addMine(ctx, &m, co, chatID, now); err != nil {
			return Mine{}, err
		}
	}
	return m, nil
}

func wantMine(t *testing.T, c *Courses, chatID int64, want Mine) {
	t.Helper()
	ctx := context.Background()
	got, err := c.MyCourses(ctx, chatID)
	if err != nil {
		t.Fatalf("MyCourses(%d): %v", chatID, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MyCourses(%d) = %+v\nwant %+v", chatID, got, want)
	}
	scan, err := myCoursesScanning(ctx, c, chatID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, scan) {
		t.Errorf("MyCourses(%d) = %+v\nreading every course gives %+v", chatID, got, scan)
	}
}

func TestMyCoursesAmongManyCourses(t *testing.T) {
	c, st := newCourses(t, Config{})
	ctx := context.Background()
	seedOtherCourses(t, c, st, 60)
	for _, co := range []Course{
		testCourse("p-enrol", 5, "2025-10-06"),
		testCourse("p-offer", 1, "2025-10-06"),
		testCourse("p-wait", 1, "2025-10-06"),
		testCourse("p-retired", 5, "2025-10-06"),
		testCourse("p-cancelled", 5, "2025-10-06"),
	} {
		addCourse(t, c, co)
	}
	const me = 7
	e, err := c.Enrol(ctx, "p-enrol", person(me), "u-1")
	if err != nil {
		t.Fatal(err)
	}
	// p-wait: full, two people ahead of me on the list.
	if _, err := c.Enrol(ctx, "p-wait", person(300), "k"); err != nil {
		t.Fatal(err)
	}
	for i, chat := range []int64{301, 302, me} {
		if pos, err := c.JoinWaitingList(ctx, "p-wait", person(chat)); err != nil || pos != i+1 {
			t.Fatalf("JoinWaitingList(%d) = %d, %v", chat, pos, err)
		}
	}
	// p-offer: the one learner cancels, the seat is offered to me.
	if _, err := c.Enrol(ctx, "p-offer", person(400), "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.JoinWaitingList(ctx, "p-offer", person(me)); err != nil {
		t.Fatal(err)
	}
	offers, err := c.Cancel(ctx, "p-offer", 400)
	if err != nil || len(offers) != 1 || offers[0].ChatID != me {
		t.Fatalf("Cancel = %+v, %v; want an offer for %d", offers, err, me)
	}
	// p-retired: enrolled, then the course is retired; p-cancelled: enrolled, then cancelled.
	if _, err := c.Enrol(ctx, "p-retired", person(me), "k"); err != nil {
		t.Fatal(err)
	}
	if err := c.Retire(ctx, "p-retired"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Enrol(ctx, "p-cancelled", person(me), "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Cancel(ctx, "p-cancelled", me); err != nil {
		t.Fatal(err)
	}

	var since time.Time
	for _, w := range mustMine(t, c, me).Waiting {
		since = w.Since
	}
	wantMine(t, c, me, Mine{
		Enrolments: []Enrolment{e},
		Offers:     offers,
		Waiting:    []WaitingPlace{{Course: "p-wait", Position: 3, Since: since}},
	})
	wantMine(t, c, 302, Mine{Waiting: []WaitingPlace{{Course: "p-wait", Position: 2, Since: mustMine(t, c, 302).Waiting[0].Since}}})
	wantMine(t, c, 9999, Mine{})
	// The people seeded directly were never listed; a store from before
	// the list gets it built once at start (openPeople), from every place.
	seeded := int64(1_000_000 + 3*100 + 2)
	if m := mustMine(t, c, seeded); len(m.Enrolments) != 0 {
		t.Fatalf("an unlisted person found: %+v", m)
	}
	if _, err := st.Collection(colPeople).DeleteOne(ctx, bson.D{{Key: "_id", Value: peopleBuiltID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(ctx, st, Config{}); err != nil {
		t.Fatal(err)
	}
	if m := mustMine(t, c, seeded); len(m.Enrolments) != 1 || m.Enrolments[0].Course != "o003" || m.Enrolments[0].Seat != 2 {
		t.Fatalf("MyCourses of a person listed at start = %+v", m)
	}
	wantMine(t, c, seeded, mustMine(t, c, seeded))
	wantMine(t, c, seeded+50+3-2, mustMine(t, c, seeded+50+3-2)) // waiting in o003

	// Past the offer's deadline (not yet swept), the offer is left out.
	real := c.now
	c.now = func() time.Time { return real().Add(49 * time.Hour) }
	wantMine(t, c, me, Mine{
		Enrolments: []Enrolment{e},
		Waiting:    []WaitingPlace{{Course: "p-wait", Position: 3, Since: since}},
	})
	c.now = real

	// Forgotten: nothing.
	if _, err := c.ForgetPerson(ctx, me); err != nil {
		t.Fatal(err)
	}
	wantMine(t, c, me, Mine{})
}

func mustMine(t *testing.T, c *Courses, chatID int64) Mine {
	t.Helper()
	m, err := c.MyCourses(context.Background(), chatID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// BenchmarkMyCourses reads one person's courses (enrolled in one, waiting
// in another) with many other courses of other people in the catalogue:
// its cost must not grow with them.
//
//	go test ./internal/courses/ -run '^$' -bench MyCourses -benchtime 20x
func BenchmarkMyCourses(b *testing.B) {
	for _, others := range []int{20, 200} {
		b.Run(fmt.Sprintf("other-courses=%d", others), func(b *testing.B) {
			st := storetest.Open(b)
			ctx := context.Background()
			c, err := New(ctx, st, Config{})
			if err != nil {
				b.Fatal(err)
			}
			seedOtherCourses(b, c, st, others)
			if _, err := c.Upsert(ctx, []Course{testCourse("mine", 5, "2025-10-06"), testCourse("full", 1, "2025-10-06")}); err != nil {
				b.Fatal(err)
			}
			const me = 7
			if _, err := c.Enrol(ctx, "mine", person(me), "k"); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Enrol(ctx, "full", person(8), "k"); err != nil {
				b.Fatal(err)
			}
			if _, err := c.JoinWaitingList(ctx, "full", person(me)); err != nil {
				b.Fatal(err)
			}
			// As in a running process, where the store indexes new
			// collections (a catalogue generation, a course's places)
			// within seconds (store.IndexNewCollections).
			if err := st.IndexNewCollections(ctx); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				m, err := c.MyCourses(ctx, me)
				if err != nil || len(m.Enrolments) != 1 || len(m.Waiting) != 1 {
					b.Fatalf("MyCourses = %+v, %v", m, err)
				}
			}
		})
	}
}
