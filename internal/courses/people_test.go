package courses

import (
	"context"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// A store written before the list of each person's courses existed gets it
// built at the next start, so /forget still reaches every place.
func TestForgetPersonFindsPlacesFromBeforeTheList(t *testing.T) {
	c, st := newCourses(t, Config{})
	ctx := context.Background()
	addCourse(t, c, testCourse("p1", 1, "2025-10-06"))
	addCourse(t, c, testCourse("p2", 3, "2025-10-06"))
	if _, err := c.Enrol(ctx, "p1", Person{ChatID: 77, Name: "Da Dimenticare"}, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.JoinWaitingList(ctx, "p1", Person{ChatID: 78, Name: "In Attesa"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Enrol(ctx, "p2", Person{ChatID: 77, Name: "Da Dimenticare"}, "k"); err != nil {
		t.Fatal(err)
	}
	if err := st.Collection(colPeople).Drop(ctx); err != nil {
		t.Fatal(err)
	}
	c2, err := New(ctx, st, Config{}) // the next start
	if err != nil {
		t.Fatal(err)
	}
	offers, err := c2.ForgetPerson(ctx, 77)
	if err != nil {
		t.Fatal(err)
	}
	if n := rawMentions(t, st, 77, "Da Dimenticare"); n != 0 {
		t.Fatalf("after ForgetPerson: %d documents still mention the person", n)
	}
	if len(offers) != 1 || offers[0].ChatID != 78 || offers[0].Course != "p1" {
		t.Fatalf("the freed seat was not offered to the waiting list: %+v", offers)
	}
}

// A place in a course that left the catalogue is still the person's data:
// /forget erases it.
func TestForgetPersonReachesCoursesNoLongerListed(t *testing.T) {
	c, st := newCourses(t, Config{})
	ctx := context.Background()
	if _, err := st.Collection(placesPrefix+"gone").InsertOne(ctx, placeDoc{
		ID: placeID("gone", 1), Course: "gone", N: 1, Token: "t", Holder: holderOf("gone", 77), Kind: kindEnrolled,
		ChatID: 77, Name: "Da Dimenticare", Phone: "+39 2",
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.notePerson(ctx, 77, "gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ForgetPerson(ctx, 77); err != nil {
		t.Fatal(err)
	}
	if n := rawMentions(t, st, 77, "Da Dimenticare"); n != 0 {
		t.Fatalf("after ForgetPerson: %d documents still mention the person", n)
	}
}

// BenchmarkForgetPersonWithOtherCourses measures /forget's part in the
// courses (one person in one course) with many other courses full of other
// people: its cost must not grow with them.
//
//	go test ./internal/courses/ -run '^$' -bench ForgetPersonWithOtherCourses -benchtime 10x
func BenchmarkForgetPersonWithOtherCourses(b *testing.B) {
	for _, others := range []int{0, 40} {
		b.Run(fmt.Sprintf("other-courses=%d", others), func(b *testing.B) {
			st := storetest.Open(b)
			ctx := context.Background()
			c, err := New(ctx, st, Config{})
			if err != nil {
				b.Fatal(err)
			}
			list := []Course{testCourse("mine", 1000, "2025-10-06")}
			for i := range others {
				list = append(list, testCourse(fmt.Sprintf("o%02d", i), 25, "2025-10-06"))
			}
			if _, err := c.Upsert(ctx, list); err != nil {
				b.Fatal(err)
			}
			// Other people: 25 learners and 25 waiting in every other course.
			for i := range others {
				docs := make([]any, 0, 50)
				id := fmt.Sprintf("o%02d", i)
				for n := 1; n <= 25; n++ {
					chat := int64(1_000_000 + i*100 + n)
					docs = append(docs,
						placeDoc{ID: placeID(id, n), Course: id, N: n, Token: "t", Holder: holderOf(id, chat), Kind: kindEnrolled, ChatID: chat, Name: "Altra"},
						placeDoc{ID: waitID(id, chat+50), Course: id, Holder: waitID(id, chat+50), Kind: kindWaiting, ChatID: chat + 50, Seq: int64(n), Name: "Altra"})
				}
				if _, err := st.Collection(placesPrefix+id).InsertMany(ctx, docs); err != nil {
					b.Fatal(err)
				}
			}
			if err := st.IndexNewCollections(ctx); err != nil {
				b.Fatal(err)
			}
			chat := int64(5_000_000)
			for b.Loop() {
				b.StopTimer()
				chat++
				if _, err := c.Enrol(ctx, "mine", Person{ChatID: chat, Name: "Da Dimenticare"}, "k"); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := c.ForgetPerson(ctx, chat); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if n, _ := st.Collection(placesPrefix+"mine").CountDocuments(ctx, bson.D{}); n != 0 {
				b.Fatalf("%d places left in the person's course", n)
			}
		})
	}
}
