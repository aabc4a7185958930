package courses

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// THE concurrency test: 500 people tap "enrol" at the same moment for a
// 20-seat course, 20 times over on fresh courses. Exactly 20 get a place,
// 480 get ErrFull, and the store holds 20 distinct seats held by 20
// distinct people. On the embedded FerretDB only the unique-index inserts
// are atomic: this is what the test proves enough.
func TestEnrolNeverOverbooks(t *testing.T) {
	c, st := newCourses(t, Config{})
	ctx := context.Background()
	commands := st.Commands()
	const runs, people, seats = 20, 500, 20
	started := time.Now()
	var slowest time.Duration
	for run := range runs {
		id := fmt.Sprintf("rush-%d", run)
		addCourse(t, c, testCourse(id, seats, "2025-10-06"))
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			got     []Enrolment
			full    int
			other   []error
			gate    = make(chan struct{})
			runFrom time.Time
		)
		for i := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				e, err := c.Enrol(ctx, id, person(int64(1_000_000+run*1000+i)), fmt.Sprintf("u%d", i))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					got = append(got, e)
				case errors.Is(err, ErrFull):
					full++
				default:
					other = append(other, err)
				}
			}()
		}
		runFrom = time.Now()
		close(gate)
		wg.Wait()
		slowest = max(slowest, time.Since(runFrom))
		if len(other) > 0 {
			t.Fatalf("run %d: %d unexpected errors, first: %v", run, len(other), other[0])
		}
		if len(got) != seats || full != people-seats {
			t.Fatalf("run %d: %d enrolled and %d full, want %d and %d", run, len(got), full, seats, people-seats)
		}
		seatsSeen, chats := map[int]bool{}, map[int64]bool{}
		for _, e := range got {
			if e.Seat < 1 || e.Seat > seats || seatsSeen[e.Seat] || chats[e.ChatID] {
				t.Fatalf("run %d: bad or repeated seat/person in %+v", run, e)
			}
			seatsSeen[e.Seat], chats[e.ChatID] = true, true
		}
		if n, err := c.Enrolled(ctx, id); err != nil || n != seats {
			t.Fatalf("run %d: the store counts %d enrolled (%v), want %d", run, n, err, seats)
		}
	}
	t.Logf("%d runs × %d concurrent Enrol on %d seats: %v in all, slowest run %v, %.1f store commands per Enrol",
		runs, people, seats, time.Since(started).Round(time.Millisecond), slowest.Round(time.Millisecond),
		float64(st.Commands()-commands)/float64(runs*people))
}

// A double tap: the same person with the same key 50 times at once gets
// one seat and the same enrolment every time.
func TestEnrolDoubleTapTakesOneSeat(t *testing.T) {
	c, _ := newCourses(t, Config{})
	ctx := context.Background()
	addCourse(t, c, testCourse("tap", 5, "2025-10-06"))
	var wg sync.WaitGroup
	results := make([]Enrolment, 50)
	errs := make([]error, 50)
	gate := make(chan struct{})
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			results[i], errs[i] = c.Enrol(ctx, "tap", person(42), "update-7001")
		}()
	}
	close(gate)
	wg.Wait()
	for i := range 50 {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if results[i] != results[0] {
			t.Fatalf("call %d returned %+v, call 0 %+v", i, results[i], results[0])
		}
	}
	if n, _ := c.Enrolled(ctx, "tap"); n != 1 {
		t.Fatalf("%d seats taken by one person, want 1", n)
	}
	// Another tap later, with another key: the same place, and the error
	// says so.
	e, err := c.Enrol(ctx, "tap", person(42), "update-7002")
	if !errors.Is(err, ErrAlreadyEnrolled) || e != results[0] {
		t.Fatalf("second request: %+v, %v", e, err)
	}
}

func TestEnrolmentsListsTheRegister(t *testing.T) {
	ctx := context.Background()
	c, _ := newCourses(t, Config{})
	course := testCourse("reg-a1", 3, "2026-03-02")
	if _, err := c.Upsert(ctx, []Course{course}); err != nil {
		t.Fatal(err)
	}
	for i := int64(1); i <= 2; i++ {
		if _, err := c.Enrol(ctx, "reg-a1", Person{ChatID: i, Name: "P", Phone: "+393330000000", Language: "it"}, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	list, err := c.Enrolments(ctx, "reg-a1")
	if err != nil || len(list) != 2 || list[0].Seat >= list[1].Seat {
		t.Fatalf("register: %+v %v", list, err)
	}
}
