package courses

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// rawMentions counts documents anywhere in the database that carry the
// chat id or the name.
func rawMentions(t *testing.T, st *store.Store, chatID int64, name string) int {
	t.Helper()
	ctx := context.Background()
	names, err := st.Collection("courses").Database().ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, coll := range names {
		cur, err := st.Collection(coll).Find(ctx, bson.D{}, options.Find())
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.M
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			if d["chat_id"] == chatID || d["name"] == name {
				n++
			}
		}
	}
	return n
}

func TestForgetPersonDeletesTheirData(t *testing.T) {
	c, st := newCourses(t, Config{})
	ctx := context.Background()
	fullCourse(t, c, "f1", 2)
	addCourse(t, c, testCourse("f2", 1, "2025-10-06"))
	if _, err := c.Enrol(ctx, "f2", Person{ChatID: 500, Name: "Amina Forget", Phone: "+39 1"}, "k"); err != nil {
		t.Fatal(err)
	}
	forgotten := Person{ChatID: 77, Name: "Da Dimenticare", Phone: "+39 2", Language: "uk"}
	// Enrolled in f1 (taking chat 1's place), waiting in f2.
	if _, err := c.Cancel(ctx, "f1", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Enrol(ctx, "f1", forgotten, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.JoinWaitingList(ctx, "f1", person(78)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.JoinWaitingList(ctx, "f2", forgotten); err != nil {
		t.Fatal(err)
	}
	if n := rawMentions(t, st, 77, forgotten.Name); n != 3 { // a place, a waiting entry, the list of their courses
		t.Fatalf("before: %d documents mention the person, want 3", n)
	}
	offers, err := c.ForgetPerson(ctx, 77)
	if err != nil {
		t.Fatal(err)
	}
	if n := rawMentions(t, st, 77, forgotten.Name); n != 0 {
		t.Fatalf("after ForgetPerson: %d documents still mention the person", n)
	}
	// Their seat went to the next person waiting.
	if len(offers) != 1 || offers[0].ChatID != 78 || offers[0].Course != "f1" {
		t.Fatalf("offers: %+v", offers)
	}
	if mine, _ := c.MyCourses(ctx, 77); len(mine.Enrolments)+len(mine.Offers)+len(mine.Waiting) != 0 {
		t.Fatalf("MyCourses after forgetting: %+v", mine)
	}
	// Others are untouched.
	if n := rawMentions(t, st, 500, "Amina Forget"); n != 2 { // a place, the list of their courses
		t.Fatalf("another person's data: %d documents, want 2", n)
	}
}
