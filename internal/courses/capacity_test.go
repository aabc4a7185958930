package courses

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// People above the new number of seats keep their places; nobody new
// gets in until the places fit again.
func TestLoweredSeatsKeepEnrolments(t *testing.T) {
	c, _ := newCourses(t, Config{})
	ctx := context.Background()
	addCourse(t, c, testCourse("low", 5, "2025-10-06"))
	bySeat := map[int]int64{}
	for i := range 5 {
		e, err := c.Enrol(ctx, "low", person(int64(200+i)), "k")
		if err != nil {
			t.Fatal(err)
		}
		bySeat[e.Seat] = e.ChatID
	}
	for _, seat := range []int{1, 2} {
		if _, err := c.Cancel(ctx, "low", bySeat[seat]); err != nil {
			t.Fatal(err)
		}
	}
	// Seats 3, 4 and 5 are held; 3 seats is not below that.
	if _, err := c.Upsert(ctx, []Course{testCourse("low", 3, "2025-10-06")}); err != nil {
		t.Fatal(err)
	}
	var se *SeatsError
	if _, err := c.Upsert(ctx, []Course{testCourse("low", 2, "2025-10-06")}); !errors.As(err, &se) || se.Taken != 3 {
		t.Fatalf("lowering below the enrolment: %v", err)
	}
	wantCounts(t, c, "low", Counts{Seats: 3, Enrolled: 3})
	// Seat numbers 1 and 2 are free, but the course is full.
	if _, err := c.Enrol(ctx, "low", person(300), "k"); !errors.Is(err, ErrFull) {
		t.Fatalf("enrol: %v, want ErrFull", err)
	}
	if _, err := c.Cancel(ctx, "low", bySeat[5]); err != nil {
		t.Fatal(err)
	}
	if e, err := c.Enrol(ctx, "low", person(300), "k"); err != nil || e.Seat > 3 {
		t.Fatalf("enrol after a cancel: %+v, %v", e, err)
	}
	if _, err := c.Enrol(ctx, "low", person(301), "k"); !errors.Is(err, ErrFull) {
		t.Fatalf("enrol: %v, want ErrFull", err)
	}
	wantCounts(t, c, "low", Counts{Seats: 3, Enrolled: 3})
}

// An import lowering the seats while people enrol: whatever wins, the
// places never exceed the seats in force, and every enrolment reported is
// kept.
func TestLoweringRacesEnrolments(t *testing.T) {
	c, _ := newCourses(t, Config{})
	ctx := context.Background()
	outcomes := map[string]int{}
	for round := range 6 {
		id := fmt.Sprintf("race-low-%d", round)
		delay := time.Duration(round) * 40 * time.Millisecond // lowering earlier or later in the rush
		addCourse(t, c, testCourse(id, 40, "2025-10-06"))
		for i := range 10 {
			if _, err := c.Enrol(ctx, id, person(int64(i+1)), "k"); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var granted []Enrolment
		gate := make(chan struct{})
		for i := range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				e, err := c.Enrol(ctx, id, person(int64(1000+i)), "k")
				if err != nil && !errors.Is(err, ErrFull) {
					t.Error(err)
				}
				if err == nil {
					mu.Lock()
					granted = append(granted, e)
					mu.Unlock()
				}
			}()
		}
		var upsertErr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			time.Sleep(delay)
			_, upsertErr = c.Upsert(ctx, []Course{testCourse(id, 20, "2025-10-06")})
		}()
		close(gate)
		wg.Wait()
		co, err := c.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := c.Counts(ctx, id)
		if n.Enrolled != 10+len(granted) || n.Enrolled > co.Seats {
			t.Fatalf("round %d: seats %d, %d enrolled, %d granted + 10 before (upsert: %v)", round, co.Seats, n.Enrolled, len(granted), upsertErr)
		}
		switch {
		case upsertErr == nil && co.Seats == 20:
			outcomes["lowered"]++
		case upsertErr != nil && co.Seats == 40:
			outcomes["refused"]++
		default:
			t.Fatalf("round %d: upsert %v with seats %d", round, upsertErr, co.Seats)
		}
	}
	t.Logf("outcomes: %v", outcomes)
}

// Two cancels of one place racing an enrolment into the seat they free:
// the new holder is never deleted by the second cancel.
func TestDoubleCancelKeepsTheNextHolder(t *testing.T) {
	c, _ := newCourses(t, Config{})
	ctx := context.Background()
	for round := range 10 {
		id := fmt.Sprintf("dc-%d", round)
		fullCourse(t, c, id, 1)
		var wg sync.WaitGroup
		var enrolErr error
		gate := make(chan struct{})
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				if _, err := c.Cancel(ctx, id, 1); err != nil && !errors.Is(err, ErrNotEnrolled) {
					t.Error(err)
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			for {
				_, enrolErr = c.Enrol(ctx, id, person(2), "k")
				if !errors.Is(enrolErr, ErrFull) {
					return
				}
			}
		}()
		close(gate)
		wg.Wait()
		if enrolErr != nil {
			t.Fatal(enrolErr)
		}
		mine, _ := c.MyCourses(ctx, 2)
		if len(mine.Enrolments) != round+1 || mine.Enrolments[round].Course != id {
			t.Fatalf("round %d: the new holder lost the place: %+v", round, mine)
		}
		wantCounts(t, c, id, Counts{Seats: 1, Enrolled: 1})
	}
}
