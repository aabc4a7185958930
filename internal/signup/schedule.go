package signup

import (
	"context"
	"errors"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
)

// Enqueue queues messages durably (bot.Runtime.Enqueue): when it returns
// nil they are stored and will be sent; an entry whose id is queued
// already is kept once.
type Enqueue func(ctx context.Context, entries []store.OutboxEntry) error

// RunDue queues, through enqueue, what is due now, and records it as done
// only once it is queued: offers of freed seats (expired offers passed to
// the next person, offers made earlier and never announced) and the
// reminders of courses starting tomorrow; the people of retired courses are
// told too (tellRetired). A course that fails does not
// hold back the others; a queueing that fails (or a crash before the
// record) leaves the work to the next run, which queues it again under the
// same outbox ids ("offer:<offer>", "reminder:<enrolment>#reminded"), so
// each person gets each message once. The errors are joined.
func (s *Service) RunDue(ctx context.Context, enqueue Enqueue) error {
	now := s.now()
	offers, sweepErr := s.Courses.Sweep(ctx, now)
	errs := []error{sweepErr, s.announce(ctx, offers, enqueue)}
	reminders, dueErr := s.Courses.DueReminders(ctx, now)
	errs = append(errs, dueErr)
	if len(reminders) > 0 {
		entries := make([]store.OutboxEntry, len(reminders))
		ids := make([]string, len(reminders))
		for i, r := range reminders {
			lang := r.Enrolment.Language
			text := s.Texts.Text(lang, "courses.reminder", nil) + "\n\n" + s.describe(lang, r.Course)
			entries[i] = store.OutboxEntry{ID: "reminder:" + r.ID, Msg: chat.Outgoing{ChatID: r.Enrolment.ChatID, Text: text}}
			ids[i] = r.Enrolment.ID
		}
		if err := enqueue(ctx, entries); err != nil {
			errs = append(errs, err)
		} else if _, err := s.Courses.MarkReminded(ctx, ids); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, s.tellRetired(ctx, enqueue))
	return errors.Join(errs...)
}

// tellRetired tells each person of a retired course, once, in their
// language: the messages are queued in the outbox (id "retired:" +
// Retirement.ID) before the people are recorded as told, so a crash in
// between queues them again under the same ids, which the outbox keeps
// once.
func (s *Service) tellRetired(ctx context.Context, enqueue Enqueue) error {
	due, err := s.Courses.DueRetirements(ctx)
	if err != nil || len(due) == 0 {
		return err
	}
	entries := make([]store.OutboxEntry, len(due))
	for i, r := range due {
		text := s.Texts.Text(r.Language, "courses.retired_notice", nil) + "\n\n" + s.describe(r.Language, r.Course)
		entries[i] = store.OutboxEntry{ID: "retired:" + r.ID, Msg: chat.Outgoing{ChatID: r.ChatID, Text: text}}
	}
	if err := enqueue(ctx, entries); err != nil {
		return err
	}
	return s.Courses.MarkRetirementsTold(ctx, due)
}

// Announce tells the people of these offers (made by a cancellation or an
// erasure) right away through s.Enqueue, then marks the offers announced.
// Without s.Enqueue, or when queueing fails, the offers stay unannounced
// and the scheduler's next RunDue tells them (after the offers'
// OpTimeout): delayed, never lost.
func (s *Service) Announce(ctx context.Context, offers []courses.Offer) error {
	if s.Enqueue == nil || len(offers) == 0 {
		return nil
	}
	return s.announce(ctx, offers, s.Enqueue)
}

// announce queues the offers' messages and then marks them announced.
// An offer whose message cannot be written (its course is unreadable) is
// neither queued nor marked: the next run tries again.
func (s *Service) announce(ctx context.Context, offers []courses.Offer, enqueue Enqueue) error {
	var entries []store.OutboxEntry
	var told []courses.Offer
	for _, o := range offers {
		msgs := s.OfferMessages(ctx, []courses.Offer{o})
		if len(msgs) == 0 {
			continue
		}
		for _, m := range msgs {
			entries = append(entries, store.OutboxEntry{ID: OfferMessageID(o), Msg: m})
		}
		told = append(told, o)
	}
	if len(entries) == 0 {
		return nil
	}
	if err := enqueue(ctx, entries); err != nil {
		return err
	}
	return s.Courses.MarkAnnounced(ctx, told)
}

// OfferMessageID is the outbox id of an offer's message: the same whoever
// queues it (a cancellation, an erasure, the scheduler), so it is sent once.
func OfferMessageID(o courses.Offer) string { return "offer:" + o.ID }
