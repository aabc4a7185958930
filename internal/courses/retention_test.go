package courses

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
)

// Six months after a course ends, the names, phones and chat ids of its
// people are gone from the store; a running course keeps them, and so
// does a course removed from the list that was written to recently.
func TestPurgeFinishedCourses(t *testing.T) {
	c, st := newCourses(t, Config{})
	ctx := context.Background()
	jan := time.Date(2025, 1, 20, 10, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return jan }

	old := testCourse("old", 1, "2024-10-07")
	old.EndDate = "2025-01-31"
	addCourse(t, c, old)
	addCourse(t, c, testCourse("running", 5, "2025-10-06"))
	addCourse(t, c, testCourse("gone", 5, "2024-10-07"))
	addCourse(t, c, testCourse("removed-lately", 5, "2024-10-07"))

	enrol := func(course string, p Person) {
		t.Helper()
		if _, err := c.Enrol(ctx, course, p, "k"); err != nil {
			t.Fatal(err)
		}
	}
	leaving := Person{ChatID: 501, Name: "Corso Finito", Phone: "+39 333 1111111", Language: "ar"}
	enrol("old", leaving)
	if _, err := c.JoinWaitingList(ctx, "old", Person{ChatID: 502, Name: "Corso Finito", Phone: "+39 2"}); err != nil {
		t.Fatal(err)
	}
	enrol("gone", Person{ChatID: 503, Name: "Corso Finito", Phone: "+39 3"})
	enrol("running", Person{ChatID: 504, Name: "Ancora Iscritta", Phone: "+39 4"})
	c.now = func() time.Time { return jan.AddDate(0, 6, 0) }
	enrol("removed-lately", Person{ChatID: 505, Name: "Tolta Da Poco", Phone: "+39 5"})
	// "gone" and "removed-lately" leave the list (an import without them).
	coll, err := c.catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{"gone", "removed-lately"}}}}}); err != nil {
		t.Fatal(err)
	}

	// Not yet six months after the end of "old".
	if got, err := c.PurgeFinished(ctx, time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)); err != nil || len(got) != 1 || got[0] != "gone" {
		t.Fatalf("PurgeFinished before the end: %v, %v", got, err)
	}
	if placesOf(t, st, 501) != 1 {
		t.Fatal("the data of a course not yet past retention was deleted")
	}

	// Six months before a day in January 2026 (after "removed-lately"
	// was last written to, in July 2025).
	before := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	got, err := c.PurgeFinished(ctx, before)
	if err != nil || !slices.Equal(got, []string{"old"}) {
		t.Fatalf("PurgeFinished = %v, %v; want [old]", got, err)
	}
	if n := rawMentions(t, st, 0, "Corso Finito"); n != 0 {
		t.Errorf("%d documents still name the people of the finished courses", n)
	}
	for _, chatID := range []int64{501, 502, 503} {
		if n := placesOf(t, st, chatID); n != 0 {
			t.Errorf("chat %d: %d documents left", chatID, n)
		}
	}
	if es, err := c.Enrolments(ctx, "running"); err != nil || len(es) != 1 || es[0].Name != "Ancora Iscritta" {
		t.Errorf("the running course lost its enrolment: %+v %v", es, err)
	}
	if placesOf(t, st, 505) != 1 {
		t.Error("a course removed from the list but written to within the period lost its data")
	}
	if _, err := c.Get(ctx, "old"); err != nil {
		t.Errorf("the finished course left the list: %v", err)
	}
	if got, err := c.PurgeFinished(ctx, before); err != nil || len(got) != 0 {
		t.Errorf("second run: %v, %v", got, err)
	}
}

// placesOf counts the documents naming the person outside the list of
// their courses (course_people: chat id and course ids, no name or phone,
// kept until /forget so that /forget finds every course).
func placesOf(t *testing.T, st *store.Store, chatID int64) int {
	t.Helper()
	n := rawMentions(t, st, chatID, "")
	var doc bson.M
	if err := st.Collection(colPeople).FindOne(context.Background(), bson.D{{Key: "_id", Value: personKey(chatID)}}).Decode(&doc); err == nil {
		if doc["chat_id"] == chatID {
			n--
		}
		for _, k := range []string{"name", "phone"} {
			if _, ok := doc[k]; ok {
				t.Errorf("the list of chat %d's courses holds a %s", chatID, k)
			}
		}
	}
	return n
}
