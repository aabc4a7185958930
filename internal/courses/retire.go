package courses

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Retiring a course.
//
// A retired course stays in the list, with its people, for the school's
// records, but takes no new enrolment, waiting-list entry or acceptance of
// an offer (ErrRetired), makes no offers and sends no reminders. Each
// person enrolled, offered a seat or waiting is told once: DueRetirements
// lists those not yet told, the caller queues a message for each with
// Retirement.ID as the outbox id, then MarkRetirementsTold claims them.
// A crash between the two re-lists them and the outbox keeps the first
// copy of each id: never lost, never sent twice.

// Retirement is one person to tell that a course was retired.
type Retirement struct {
	// ID is "<course>#retired#<chatID>": the claim of the notice, fit to
	// be the id of the message in the outbox.
	ID     string
	Course Course
	ChatID int64
	// Language is the language the person signed up in.
	Language string
	// Waiting is true for a person who was only on the waiting list.
	Waiting bool
}

func retiredID(course string, chatID int64) string {
	return course + "#retired#" + strconv.FormatInt(chatID, 10)
}

// Retire marks the course retired (see Retirement); retiring a retired
// course again changes nothing. An unknown ID gives an error matching
// store.ErrNotFound. The change is switched in like an import's (all or
// nothing, see Upsert).
func (c *Courses) Retire(ctx context.Context, id string) error {
	co, err := c.Get(ctx, id)
	if err != nil {
		return err
	}
	if co.Retired {
		return nil
	}
	co.Retired = true
	_, err = c.Upsert(ctx, []Course{co})
	return err
}

// DueRetirements returns the people of retired courses who have not been
// told yet, one per person and course (a person with a place and a
// waiting-list entry is told once). It only reads.
func (c *Courses) DueRetirements(ctx context.Context) ([]Retirement, error) {
	ctx, cancel := c.op(ctx)
	defer cancel()
	retired, err := c.find(ctx, bson.D{{Key: "retired", Value: true}})
	if err != nil {
		return nil, err
	}
	var out []Retirement
	for _, co := range retired {
		s, err := c.load(ctx, co.ID, bson.D{}, false)
		if err != nil {
			return nil, err
		}
		var due []Retirement
		add := func(d placeDoc, waiting bool) {
			if !slices.ContainsFunc(due, func(r Retirement) bool { return r.ChatID == d.ChatID }) {
				due = append(due, Retirement{ID: retiredID(co.ID, d.ChatID), Course: co, ChatID: d.ChatID, Language: d.Lang, Waiting: waiting})
			}
		}
		for _, p := range s.places {
			add(p.placeDoc, false)
		}
		for _, w := range s.waits {
			add(w, true)
		}
		if len(due) == 0 {
			continue
		}
		told, err := c.claimed(ctx, co.ID, due)
		if err != nil {
			return nil, err
		}
		for _, r := range due {
			if !told[r.ID] {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// claimed returns which of the notices' claims exist.
func (c *Courses) claimed(ctx context.Context, courseID string, rs []Retirement) (map[string]bool, error) {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	cur, err := c.claimsOf(courseID).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("courses: reading the retirement notices of %s: %w", courseID, err)
	}
	var done []claimDoc
	if err := cur.All(ctx, &done); err != nil {
		return nil, fmt.Errorf("courses: reading the retirement notices of %s: %w", courseID, err)
	}
	out := make(map[string]bool, len(done))
	for _, d := range done {
		out[d.ID] = true
	}
	return out, nil
}

// MarkRetirementsTold records that these people were told (after their
// messages were queued): DueRetirements no longer returns them. Marking
// twice is harmless.
func (c *Courses) MarkRetirementsTold(ctx context.Context, rs []Retirement) error {
	if len(rs) == 0 {
		return nil
	}
	ctx, cancel := c.op(ctx)
	defer cancel()
	now := c.stamp()
	byCourse := map[string][]string{}
	for _, r := range rs {
		byCourse[r.Course.ID] = append(byCourse[r.Course.ID], r.ID)
	}
	for course, ids := range byCourse {
		if _, err := c.insertClaims(ctx, course, ids, now); err != nil {
			return fmt.Errorf("courses: recording %d retirement notices: %w", len(ids), err)
		}
	}
	return nil
}
