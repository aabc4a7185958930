package courses

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Reminder is an enrolment in a course that starts tomorrow.
type Reminder struct {
	// ID is the reminder's claim, "<enrolment ID>#reminded": unique per
	// enrolment, fit to be the id of the message in the outbox.
	ID        string
	Enrolment Enrolment
	Course    Course
}

const remindedSuffix = "#reminded"

// DueReminders returns the enrolments in courses whose StartDate is the
// day after now's date in Rome, that have not been marked as reminded
// (MarkReminded). It only reads; two callers may get the same reminders.
// A course that cannot be read does not hold back the others: their
// reminders are returned with the error (queue them either way).
//
// The flow that loses none: DueReminders, queue each message durably with
// Reminder.ID in its outbox id (the outbox keeps one copy per id), then
// MarkReminded. A crash or an error between the two steps makes the next
// run queue the same ids again, which the outbox keeps once.
func (c *Courses) DueReminders(ctx context.Context, now time.Time) ([]Reminder, error) {
	ctx, cancel := c.op(ctx)
	defer cancel()
	tomorrow := now.In(Location).AddDate(0, 0, 1).Format(time.DateOnly)
	courses, err := c.find(ctx, bson.D{{Key: "start_date", Value: tomorrow}})
	if err != nil {
		return nil, err
	}
	var due []Reminder
	var errs []error
	for _, co := range courses {
		if co.Retired {
			continue
		}
		r, err := c.dueIn(ctx, co)
		if err != nil {
			errs = append(errs, fmt.Errorf("courses: reminders of %s: %w", co.ID, err))
			continue
		}
		due = append(due, r...)
	}
	return due, errors.Join(errs...)
}

// dueIn returns the course's enrolments not yet claimed as reminded.
func (c *Courses) dueIn(ctx context.Context, co Course) ([]Reminder, error) {
	s, err := c.load(ctx, co.ID, bson.D{}, true)
	if err != nil {
		return nil, err
	}
	var due []Reminder
	var ids []string
	for _, p := range s.places {
		if p.enrolled() {
			e := p.enrolment()
			due = append(due, Reminder{ID: e.ID + remindedSuffix, Enrolment: e, Course: co})
			ids = append(ids, e.ID+remindedSuffix)
		}
	}
	if len(due) == 0 {
		return nil, nil
	}
	cur, err := c.claimsOf(co.ID).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("courses: reading the reminder claims of %s: %w", co.ID, err)
	}
	var done []claimDoc
	if err := cur.All(ctx, &done); err != nil {
		return nil, fmt.Errorf("courses: reading the reminder claims of %s: %w", co.ID, err)
	}
	sent := make(map[string]bool, len(done))
	for _, d := range done {
		sent[d.ID] = true
	}
	out := due[:0]
	for _, r := range due {
		if !sent[r.ID] {
			out = append(out, r)
		}
	}
	return out, nil
}

// MarkReminded records that the reminders of these enrolments
// (Enrolment.ID) were queued, so DueReminders no longer returns them, and
// returns the IDs this call marked first, in the order given (an enrolment
// is marked once ever, however many call at once). The mark is an insert
// of "<enrolment ID>#reminded" under the unique _id. Call it only after
// the reminders are durably queued.
func (c *Courses) MarkReminded(ctx context.Context, enrolmentIDs []string) ([]string, error) {
	if len(enrolmentIDs) == 0 {
		return nil, nil
	}
	ctx, cancel := c.op(ctx)
	defer cancel()
	now := c.stamp()
	byCourse := map[string][]int{}
	var order []string
	for i, id := range enrolmentIDs {
		course, _, ok := strings.Cut(id, "#")
		if !ok {
			return nil, fmt.Errorf("courses: %q is not an enrolment ID", id)
		}
		if _, seen := byCourse[course]; !seen {
			order = append(order, course)
		}
		byCourse[course] = append(byCourse[course], i)
	}
	won := make([]bool, len(enrolmentIDs))
	for _, course := range order {
		idx := byCourse[course]
		ids := make([]string, len(idx))
		for j, i := range idx {
			ids[j] = enrolmentIDs[i] + remindedSuffix
		}
		got, err := c.insertClaims(ctx, course, ids, now)
		if err != nil {
			return nil, fmt.Errorf("courses: claiming %d reminders: %w", len(ids), err)
		}
		for j, i := range idx {
			won[i] = got[j]
		}
	}
	var out []string
	for i, id := range enrolmentIDs {
		if won[i] {
			out = append(out, id)
		}
	}
	return out, nil
}

// insertClaims inserts a claim per id into the course's claims and reports,
// in the order given, which this call inserted (false: it existed).
func (c *Courses) insertClaims(ctx context.Context, course string, ids []string, at time.Time) ([]bool, error) {
	docs := make([]any, len(ids))
	won := make([]bool, len(ids))
	for i, id := range ids {
		docs[i] = claimDoc{ID: id, At: at}
		won[i] = true
	}
	_, err := c.claimsOf(course).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return won, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return nil, err
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return nil, err
		}
		won[we.Index] = false
	}
	return won, nil
}
