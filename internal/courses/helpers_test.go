package courses

import (
	"context"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// newCourses opens a real store (embedded FerretDB, or MongoDB with
// MONGODB_URI) with a Courses on it.
func newCourses(t *testing.T, cfg Config) (*Courses, *store.Store) {
	t.Helper()
	st := storetest.Open(t)
	c, err := New(context.Background(), st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, st
}

// testCourse is a valid course starting on start (YYYY-MM-DD).
func testCourse(id string, seats int, start string) Course {
	return Course{
		ID: id, Site: "cpia-frascati", Level: LevelA1, Title: "Italiano A1 (sera)",
		Weekdays: []time.Weekday{time.Monday, time.Wednesday}, StartTime: "18:00", EndTime: "20:00",
		StartDate: start, EndDate: "2026-05-29", Seats: seats,
		Address: "Via Example 1, Frascati", Notes: "Portare un documento.",
	}
}

func addCourse(t *testing.T, c *Courses, co Course) {
	t.Helper()
	if _, err := c.Upsert(context.Background(), []Course{co}); err != nil {
		t.Fatal(err)
	}
}

func person(chatID int64) Person {
	return Person{ChatID: chatID, Name: "Persona", Phone: "+39 333 0000000", Language: "ar"}
}
