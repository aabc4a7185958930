package signup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
)

// Mine answers /mycourses: enrolments, offers and waiting places, each
// with a button to cancel.
func (s *Service) Mine(ctx context.Context, chatID int64, lang string) ([]chat.Outgoing, error) {
	mine, err := s.Courses.MyCourses(ctx, chatID)
	if err != nil {
		return nil, err
	}
	if len(mine.Enrolments)+len(mine.Offers)+len(mine.Waiting) == 0 {
		return []chat.Outgoing{{ChatID: chatID, Text: s.Texts.Text(lang, "courses.mine_none", nil)}}, nil
	}
	var out []chat.Outgoing
	line := func(courseID, textID string, data map[string]any, buttons [][]chat.Button) {
		c, err := s.Courses.Get(ctx, courseID)
		if err != nil {
			return
		}
		out = append(out, chat.Outgoing{ChatID: chatID, Text: s.Texts.Text(lang, textID, data) + "\n" + s.describe(lang, c), Buttons: buttons})
	}
	cancel := func(id string) [][]chat.Button {
		return [][]chat.Button{{{Text: "❌ " + s.Texts.Text(lang, "courses.cancel", nil), Data: dataCancel + id}}}
	}
	for _, e := range mine.Enrolments {
		line(e.Course, "courses.mine_enrolled", nil, cancel(e.Course))
	}
	for _, o := range mine.Offers {
		line(o.Course, "courses.mine_offer", nil, [][]chat.Button{
			{{Text: "✅ " + s.Texts.Text(lang, "courses.accept", nil), Data: dataAccept + o.Course}},
			cancel(o.Course)[0],
		})
	}
	for _, w := range mine.Waiting {
		line(w.Course, "courses.mine_waiting", map[string]any{"Position": w.Position}, cancel(w.Course))
	}
	return out, nil
}

// Button handles the course buttons outside the sign-up flow: cancel
// (with a confirmation) and accepting an offered seat. handled is false
// for other data.
func (s *Service) Button(ctx context.Context, chatID int64, lang, data string) (out []chat.Outgoing, handled bool, err error) {
	switch {
	case strings.HasPrefix(data, dataCancel):
		id := strings.TrimPrefix(data, dataCancel)
		return []chat.Outgoing{{ChatID: chatID, Text: s.Texts.Text(lang, "courses.cancel_confirm", nil), Buttons: [][]chat.Button{{
			{Text: s.Texts.Text(lang, "forget.yes", nil), Data: dataConfirm + id},
			{Text: s.Texts.Text(lang, "forget.no", nil), Data: dataKeep + id},
		}}}}, true, nil
	case strings.HasPrefix(data, dataKeep):
		return []chat.Outgoing{{ChatID: chatID, Text: s.Texts.Text(lang, "courses.cancel_kept", nil)}}, true, nil
	case strings.HasPrefix(data, dataConfirm):
		id := strings.TrimPrefix(data, dataConfirm)
		offers, err := s.Courses.Cancel(ctx, id, chatID)
		if errors.Is(err, courses.ErrNotEnrolled) {
			return []chat.Outgoing{{ChatID: chatID, Text: s.Texts.Text(lang, "courses.mine_none", nil)}}, true, nil
		}
		if err != nil {
			return nil, true, err
		}
		// The freed seat is offered right away, queued under the offer's
		// own id; if that fails, the scheduler tells the next person.
		_ = s.Announce(ctx, offers)
		if c, err := s.Courses.Get(ctx, id); err == nil {
			s.observe(ctx, "course_cancel", c, lang, 0)
		}
		return []chat.Outgoing{{ChatID: chatID, Text: s.Texts.Text(lang, "courses.cancelled", nil)}}, true, nil
	case strings.HasPrefix(data, dataAccept):
		id := strings.TrimPrefix(data, dataAccept)
		_, err := s.Courses.AcceptOffer(ctx, id, chatID, fmt.Sprintf("%d:%s", chatID, id))
		switch {
		case err == nil:
			c, err := s.Courses.Get(ctx, id)
			if err != nil {
				return nil, true, err
			}
			return s.confirmation(chatID, lang, c), true, nil
		case errors.Is(err, courses.ErrOfferExpired), errors.Is(err, courses.ErrNoOffer), errors.Is(err, store.ErrNotFound):
			return []chat.Outgoing{{ChatID: chatID, Text: s.Texts.Text(lang, "courses.offer_expired", nil)}}, true, nil
		case errors.Is(err, courses.ErrAlreadyEnrolled):
			return []chat.Outgoing{{ChatID: chatID, Text: s.Texts.Text(lang, "courses.already", nil)}}, true, nil
		case errors.Is(err, courses.ErrRetired):
			return s.retiredClosed(chatID, lang), true, nil
		}
		return nil, true, err
	}
	return nil, false, nil
}

// OfferMessages tells each person offered a freed seat, in their language,
// with the deadline and an accept button.
func (s *Service) OfferMessages(ctx context.Context, offers []courses.Offer) []chat.Outgoing {
	var out []chat.Outgoing
	for _, o := range offers {
		c, err := s.Courses.Get(ctx, o.Course)
		if err != nil {
			continue
		}
		lang := o.Language
		out = append(out, chat.Outgoing{ChatID: o.ChatID,
			Text:    s.Texts.Text(lang, "courses.offer", map[string]any{"Deadline": s.Texts.Isolate(lang, s.Texts.DateTime(lang, o.Expires.In(rome)))}) + "\n\n" + s.describe(lang, c),
			Buttons: [][]chat.Button{{{Text: "✅ " + s.Texts.Text(lang, "courses.accept", nil), Data: dataAccept + o.Course}}}})
	}
	return out
}
