package courses

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestRemindersMarkedOnce(t *testing.T) {
	c, _ := newCourses(t, Config{})
	ctx := context.Background()
	// 23:30 UTC on 5 October is 01:30 on the 6th in Rome: "tomorrow" is
	// the 7th there.
	now := time.Date(2025, 10, 5, 23, 30, 0, 0, time.UTC)
	addCourse(t, c, testCourse("tomorrow", 5, "2025-10-07"))
	addCourse(t, c, testCourse("later", 5, "2025-10-08"))
	addCourse(t, c, testCourse("today", 5, "2025-10-06"))
	for i := range 3 {
		for _, id := range []string{"tomorrow", "later", "today"} {
			if _, err := c.Enrol(ctx, id, person(int64(60+i)), "k"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// An offer that is not accepted gets no reminder.
	if _, err := c.JoinWaitingList(ctx, "tomorrow", person(70)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Upsert(ctx, []Course{testCourse("tomorrow", 4, "2025-10-07")}); err != nil {
		t.Fatal(err)
	}
	if offers, err := c.Sweep(ctx, now); err != nil || len(offers) != 1 {
		t.Fatalf("sweep: %v %v", offers, err)
	}

	due, err := c.DueReminders(ctx, now)
	if err != nil || len(due) != 3 {
		t.Fatalf("due: %d, %v; want 3", len(due), err)
	}
	for _, r := range due {
		if r.Course.ID != "tomorrow" || r.ID != r.Enrolment.ID+"#reminded" {
			t.Fatalf("due reminder %+v", r)
		}
	}

	// Two schedulers race: each queues what is due and then marks it;
	// together they mark each enrolment once (and the outbox, keyed by
	// Reminder.ID, keeps one message per enrolment).
	var wg sync.WaitGroup
	var got [2][]string
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			due, err := c.DueReminders(ctx, now)
			if err != nil {
				t.Error(err)
				return
			}
			ids := make([]string, len(due))
			for j, r := range due {
				ids[j] = r.Enrolment.ID
			}
			if got[i], err = c.MarkReminded(ctx, ids); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, ids := range got {
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("enrolment %s marked twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != 3 {
		t.Fatalf("%d reminders marked, want 3", len(seen))
	}
	if due, _ := c.DueReminders(ctx, now); len(due) != 0 {
		t.Fatalf("still due after marking: %v", due)
	}
	// The day before "later" starts, its reminders are due.
	due, err = c.DueReminders(ctx, now.Add(24*time.Hour))
	if err != nil || len(due) != 3 || due[0].Course.ID != "later" {
		t.Fatalf("next day: %+v %v", due, err)
	}
	if won, err := c.MarkReminded(ctx, []string{due[0].Enrolment.ID, due[0].Enrolment.ID}); err != nil || len(won) != 1 {
		t.Fatalf("marking one reminder twice in a call: %v %v", won, err)
	}
	if won, err := c.MarkReminded(ctx, []string{due[0].Enrolment.ID}); err != nil || len(won) != 0 {
		t.Fatalf("marking a marked reminder: %v %v", won, err)
	}
}
