package courses

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// colPeople lists, for each person, the courses in which they ever held a
// place, an offer or a waiting-list entry: one document per person, _id
// their chat id in decimal. ForgetPerson reads only that person's document
// and those courses, never every course and every place (on the embedded
// store a filtered read parses every document of its collection); it also
// reaches the courses no longer in the catalogue.
//
// Enrol and JoinWaitingList add the course before inserting anything
// (offers come from the waiting list, so the course is there already).
// They run in the person's own chat, one at a time, so the document has a
// single writer ($addToSet rewrites it whole on FerretDB). ForgetPerson
// deletes it last. A store from before is listed once, at start.
const colPeople = "course_people"

// peopleBuiltID marks, in colPeople, that the list was built from the
// stored places.
const peopleBuiltID = "built"

func personKey(chatID int64) string { return strconv.FormatInt(chatID, 10) }

// notePerson lists courseID among the person's courses.
func (c *Courses) notePerson(ctx context.Context, chatID int64, courseID string) error {
	return c.notePersonCourses(ctx, chatID, []string{courseID})
}

func (c *Courses) notePersonCourses(ctx context.Context, chatID int64, courseIDs []string) error {
	update := func() error {
		_, err := c.st.Collection(colPeople).UpdateOne(ctx, bson.D{{Key: "_id", Value: personKey(chatID)}},
			bson.D{
				{Key: "$addToSet", Value: bson.D{{Key: "courses", Value: bson.D{{Key: "$each", Value: courseIDs}}}}},
				{Key: "$set", Value: bson.D{{Key: "chat_id", Value: chatID}}},
			}, options.UpdateOne().SetUpsert(true))
		return err
	}
	err := update()
	if store.IsDuplicate(err) {
		// Two calls (a double tap) both found no document and both
		// inserted: the other one's is there now, add to it.
		err = update()
	}
	if err != nil {
		return fmt.Errorf("courses: listing the courses of a person: %w", err)
	}
	return nil
}

// coursesOf returns the courses listed for the person.
func (c *Courses) coursesOf(ctx context.Context, chatID int64) ([]string, error) {
	var doc struct {
		Courses []string `bson:"courses"`
	}
	err := c.st.Collection(colPeople).FindOne(ctx, bson.D{{Key: "_id", Value: personKey(chatID)}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("courses: reading the courses of a person: %w", err)
	}
	return doc.Courses, nil
}

// unlistPerson deletes the person's document.
func (c *Courses) unlistPerson(ctx context.Context, chatID int64) error {
	if _, err := c.st.Collection(colPeople).DeleteOne(ctx, bson.D{{Key: "_id", Value: personKey(chatID)}}); err != nil {
		return fmt.Errorf("courses: forgetting the courses of a person: %w", err)
	}
	return nil
}

// placeCollections returns the course IDs that have a places collection.
func (c *Courses) placeCollections(ctx context.Context) ([]string, error) {
	names, err := c.st.CollectionNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("courses: listing collections: %w", err)
	}
	var ids []string
	for _, n := range names {
		if id, ok := strings.CutPrefix(n, placesPrefix); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// openPeople builds colPeople once from every stored place and waiting
// entry (a store written before the list existed). A crash midway builds
// it again ($addToSet keeps each course once).
func (c *Courses) openPeople(ctx context.Context) error {
	coll := c.st.Collection(colPeople)
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: peopleBuiltID}}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("courses: reading whether the people list is built: %w", err)
	}
	ids, err := c.placeCollections(ctx)
	if err != nil {
		return err
	}
	byPerson := map[int64][]string{}
	for _, id := range ids {
		cur, err := c.st.Collection(placesPrefix+id).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "chat_id", Value: 1}}))
		if err != nil {
			return fmt.Errorf("courses: reading the places of %s: %w", id, err)
		}
		var docs []struct {
			ChatID int64 `bson:"chat_id"`
		}
		if err := cur.All(ctx, &docs); err != nil {
			return fmt.Errorf("courses: reading the places of %s: %w", id, err)
		}
		for _, d := range docs {
			if d.ChatID != 0 && !slices.Contains(byPerson[d.ChatID], id) {
				byPerson[d.ChatID] = append(byPerson[d.ChatID], id)
			}
		}
	}
	for chatID, list := range byPerson {
		if err := c.notePersonCourses(ctx, chatID, list); err != nil {
			return err
		}
	}
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: peopleBuiltID}}); err != nil && !store.IsDuplicate(err) {
		return fmt.Errorf("courses: marking the people list built: %w", err)
	}
	return nil
}
