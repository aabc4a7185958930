package signup

import (
	"context"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
)

// Due returns what the scheduler must queue now: offers of freed seats
// (expired offers passed to the next person) and the reminders of courses
// starting tomorrow. Their outbox ids come from courses' claims, so a
// second run, a restart or two schedulers never send one twice.
func (s *Service) Due(ctx context.Context) ([]store.OutboxEntry, error) {
	now := s.now()
	offers, err := s.Courses.Sweep(ctx, now)
	if err != nil {
		return nil, err
	}
	var entries []store.OutboxEntry
	for _, o := range offers {
		for _, m := range s.OfferMessages(ctx, []courses.Offer{o}) {
			entries = append(entries, store.OutboxEntry{ID: "offer:" + o.ID, Msg: m})
		}
	}
	reminders, err := s.Courses.ClaimReminders(ctx, now)
	if err != nil {
		return entries, err
	}
	for _, r := range reminders {
		lang := r.Enrolment.Language
		text := s.Texts.Text(lang, "courses.reminder", nil) + "\n\n" + s.describe(lang, r.Course)
		entries = append(entries, store.OutboxEntry{ID: "reminder:" + r.ID, Msg: chat.Outgoing{ChatID: r.Enrolment.ChatID, Text: text}})
	}
	return entries, nil
}
