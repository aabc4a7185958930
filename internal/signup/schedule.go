package signup

import (
	"context"
	"errors"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
)

// Due returns what the scheduler must queue now, also when it returns an
// error (queue what it returns either way): offers of freed seats
// (expired offers passed to the next person) and the reminders of courses
// starting tomorrow. The people of retired courses it tells itself,
// through Enqueue (see tellRetired). Their outbox ids come from courses' claims, so a
// second run, a restart or two schedulers never send one twice.
func (s *Service) Due(ctx context.Context) ([]store.OutboxEntry, error) {
	now := s.now()
	// A course whose sweep fails does not hold back the others' offers:
	// Sweep returns what it found with the error, and so does Due.
	offers, sweepErr := s.Courses.Sweep(ctx, now)
	var entries []store.OutboxEntry
	for _, o := range offers {
		for _, m := range s.OfferMessages(ctx, []courses.Offer{o}) {
			entries = append(entries, store.OutboxEntry{ID: "offer:" + o.ID, Msg: m})
		}
	}
	retireErr := s.tellRetired(ctx)
	reminders, err := s.Courses.ClaimReminders(ctx, now)
	if err != nil {
		return entries, errors.Join(sweepErr, retireErr, err)
	}
	for _, r := range reminders {
		lang := r.Enrolment.Language
		text := s.Texts.Text(lang, "courses.reminder", nil) + "\n\n" + s.describe(lang, r.Course)
		entries = append(entries, store.OutboxEntry{ID: "reminder:" + r.ID, Msg: chat.Outgoing{ChatID: r.Enrolment.ChatID, Text: text}})
	}
	return entries, errors.Join(sweepErr, retireErr)
}

// tellRetired tells each person of a retired course, once, in their
// language: the messages are queued in the outbox (id "retired:" +
// Retirement.ID) before the people are recorded as told, so a crash in
// between queues them again under the same ids, which the outbox keeps
// once. Without Enqueue nobody is told.
func (s *Service) tellRetired(ctx context.Context) error {
	if s.Enqueue == nil {
		return nil
	}
	due, err := s.Courses.DueRetirements(ctx)
	if err != nil || len(due) == 0 {
		return err
	}
	entries := make([]store.OutboxEntry, len(due))
	for i, r := range due {
		text := s.Texts.Text(r.Language, "courses.retired_notice", nil) + "\n\n" + s.describe(r.Language, r.Course)
		entries[i] = store.OutboxEntry{ID: "retired:" + r.ID, Msg: chat.Outgoing{ChatID: r.ChatID, Text: text}}
	}
	if err := s.Enqueue(ctx, entries); err != nil {
		return err
	}
	return s.Courses.MarkRetirementsTold(ctx, due)
}
