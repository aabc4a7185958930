package escalation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/locales"
)

// OpenRequest is a person asking for a counsellor.
type OpenRequest struct {
	ChatID int64
	Name   string
	Lang   string
	// Topic is the flow the person came from ("permits"…); "" is general.
	Topic string
	// Site is the help point (from a site_ deep link), may be empty.
	Site    string
	Answers map[string]string
}

// Open opens the person's case for the topic (or finds the one still
// open), makes sure it has a topic in the operators' group with its card,
// and returns what to send: the card to the operators and the
// confirmation to the person (with the emergency numbers when urgent).
func (s *Service) Open(ctx context.Context, r OpenRequest) (out []chat.Outgoing, caseID string, err error) {
	topic := r.Topic
	if topic == "" {
		topic = "general"
	}
	c, created, err := s.Cases.Open(ctx, cases.OpenRequest{
		ChatID: r.ChatID, PersonName: r.Name, Lang: r.Lang, Topic: topic, HelpPoint: r.Site,
		Urgent: topic == "urgent", Answers: r.Answers,
	})
	if err != nil {
		return nil, "", err
	}
	if c.ThreadID == 0 && s.OperatorChat != 0 {
		var made bool
		if c, made, err = s.ensureTopic(ctx, c); err != nil {
			return nil, "", err
		}
		if made {
			out = append(out, s.postCard(ctx, c)...)
		}
	}
	data := map[string]any{"Case": s.Texts.Isolate(r.Lang, c.ID)}
	if created {
		out = append(out, chat.Outgoing{ChatID: r.ChatID, Text: s.Texts.Text(r.Lang, "case.opened", data)})
	} else {
		out = append(out, chat.Outgoing{ChatID: r.ChatID, Text: s.Texts.Text(r.Lang, "case.still_open", data)})
	}
	if c.Urgent {
		out = append(out, chat.Outgoing{ChatID: r.ChatID, Text: s.Texts.Text(r.Lang, "case.urgent", nil)})
	}
	if created && s.bridgeOn(c) { // honest about where the messages go
		out = append(out, chat.Outgoing{ChatID: r.ChatID, Text: s.Texts.Text(r.Lang, "case.bridge_notice", nil)})
	}
	if s.Hours != nil {
		if h := s.Hours(r.Site); h != nil && !h.Open(s.now()) {
			hours, next := h.String(), h.NextOpening(s.now()).In(rome).Format("02/01 15:04")
			if dt, ok := s.Texts.(dataTexts); ok { // in the person's language (weekdays, clock, date)
				var week [7][]locales.ClockRange
				for d, ranges := range h.Week() {
					for _, rg := range ranges {
						week[d] = append(week[d], locales.ClockRange{Start: rg[0], End: rg[1]})
					}
				}
				hours = strings.Join(dt.WeekSchedule(r.Lang, week), "; ")
				next = dt.DateTime(r.Lang, h.NextOpening(s.now()).In(rome))
			}
			out = append(out, chat.Outgoing{ChatID: r.ChatID, Text: s.Texts.Text(r.Lang, "case.after_hours", map[string]any{
				"Hours": s.Texts.Isolate(r.Lang, hours), "Next": s.Texts.Isolate(r.Lang, next)})})
		}
	}
	return out, c.ID, nil
}

// ensureTopic gives the case a forum topic when it has none and reports
// whether this call made it (the caller then posts the card). Several
// lanes or processes may try at once: each creates a topic, and the case's
// topic is claimed (cases.ClaimThread) by exactly one of them; a loser
// deletes the topic it made (or closes it, if it may not delete) and uses
// the winner's. Within a process, calls take turns, so it is rare. A crash
// between creating the topic and claiming it leaves an empty topic behind;
// the case then gets a new one (Telegram offers no way to look a topic up
// by name).
func (s *Service) ensureTopic(ctx context.Context, c cases.Case) (cases.Case, bool, error) {
	s.topicMu.Lock()
	defer s.topicMu.Unlock()
	if fresh, err := s.Cases.Get(ctx, c.ID); err == nil && fresh.ThreadID != 0 {
		return fresh, false, nil
	}
	thread, err := s.Topics.CreateTopic(ctx, s.OperatorChat, topicTitle(c))
	if err != nil {
		return c, false, fmt.Errorf("escalation: topic for %s: %w", c.ID, err)
	}
	got, won, err := s.Cases.ClaimThread(ctx, c.ID, 0, thread)
	if err != nil {
		s.dropTopic(ctx, thread)
		return c, false, err
	}
	if !won {
		s.dropTopic(ctx, thread)
	}
	return got, won, nil
}

// dropTopic removes a topic this process created for a case that got
// another one first: deleted (empty, it goes without a trace), or closed
// when the bot may not delete. Cosmetic: a failure leaves an empty topic.
func (s *Service) dropTopic(ctx context.Context, thread int) {
	if er, ok := s.Topics.(topicEraser); ok {
		if er.DeleteTopic(ctx, s.OperatorChat, thread) == nil {
			return
		}
	}
	_ = s.Topics.CloseTopic(ctx, s.OperatorChat, thread)
}

// ThreadGone gives a case whose topic was deleted by hand a new topic (with
// its card again) and returns it; the runtime calls it when a send fails
// with "message thread not found". Several calls for the same lost topic,
// in one process or several, leave one new topic (ClaimThread from the
// lost one).
func (s *Service) ThreadGone(ctx context.Context, chatID int64, threadID int) (int, bool) {
	if chatID != s.OperatorChat {
		return 0, false
	}
	c, ok, err := s.Cases.ByThread(ctx, threadID)
	if err != nil || !ok || c.IsErased() || c.ChatID == 0 {
		return 0, false // an erased case's topic stays deleted
	}
	s.topicMu.Lock()
	defer s.topicMu.Unlock()
	if fresh, err := s.Cases.Get(ctx, c.ID); err == nil && fresh.ThreadID != threadID && fresh.ThreadID != 0 {
		return fresh.ThreadID, true // already recreated
	}
	thread, err := s.Topics.CreateTopic(ctx, s.OperatorChat, topicTitle(c))
	if err != nil {
		return 0, false
	}
	got, won, err := s.Cases.ClaimThread(ctx, c.ID, threadID, thread)
	if err != nil || !won {
		s.dropTopic(ctx, thread)
		if err == nil && got.ThreadID != 0 && got.ThreadID != threadID {
			return got.ThreadID, true // another process recreated it first
		}
		return 0, false
	}
	// The new topic starts with the card again, before the messages that
	// were on their way to the old one (sent now: the sender is waiting).
	c = got
	s.sendCard(ctx, c)
	if c.Status == cases.StatusClosed {
		_ = s.Topics.CloseTopic(ctx, s.OperatorChat, thread)
	}
	return thread, true
}

// postCard puts the case card at the top of its new topic: sent at once,
// so its message id is known and its buttons can follow the case; when
// that fails (a 429, say) it goes through the outbox instead.
func (s *Service) postCard(ctx context.Context, c cases.Case) []chat.Outgoing {
	if s.sendCard(ctx, c) {
		return nil
	}
	return []chat.Outgoing{s.card(ctx, c)}
}

// sendCard sends the card now and records its message id.
func (s *Service) sendCard(ctx context.Context, c cases.Case) bool {
	cardID, err := s.Topics.SendNow(ctx, s.card(ctx, c))
	if err != nil || cardID == 0 {
		return false
	}
	_ = s.Cases.SetCard(ctx, c.ID, c.ThreadID, cardID)
	return true
}

// dataTexts writes hours and dates in a reader's language
// (locales.Catalog does); Texts without it get the Italian codes.
type dataTexts interface {
	WeekSchedule(lang string, week [7][]locales.ClockRange) []string
	DateTime(lang string, t time.Time) string
}
