package escalation

import (
	"context"
	"slices"
	"strings"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
)

// outcomeOther asks for the outcome in words.
const outcomeOther = "other"

// closeAsk asks, in the topic, with which outcome to close the case.
func (s *Service) closeAsk(c cases.Case, in chat.Incoming) chat.Outgoing {
	var rows [][]chat.Button
	for _, code := range append(slices.Clone(cases.Outcomes), outcomeOther) {
		rows = append(rows, []chat.Button{{Text: s.outcomeWords(code), Data: dataOutcome + c.ID + ":" + code}})
	}
	m := s.reply(c, in, s.deskText("console.desk.close_ask", map[string]any{"Case": c.ID}))
	m.Buttons = rows
	return m
}

// outcomeWords is an outcome as operators read it: a code's Italian words,
// or the operator's own text.
func (s *Service) outcomeWords(outcome string) string {
	if slices.Contains(cases.Outcomes, outcome) || outcome == outcomeOther {
		return s.deskText("console.outcome."+outcome, nil)
	}
	return outcome
}

// outcomeChosen handles a press on an outcome button (op:out:<case>:<code>):
// "other" asks for the words, any other code closes the case. The
// question's buttons are removed once answered.
func (s *Service) outcomeChosen(ctx context.Context, in chat.Incoming, op cases.Operator) ([]chat.Outgoing, error) {
	caseID, code, ok := strings.Cut(strings.TrimPrefix(in.Data, dataOutcome), ":")
	if !ok {
		return nil, nil
	}
	c, err := s.Cases.Get(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if code == outcomeOther {
		return []chat.Outgoing{s.reply(c, in, s.deskText("console.desk.close_other", nil))}, nil
	}
	if !slices.Contains(cases.Outcomes, code) {
		return nil, nil
	}
	if in.MessageID != 0 {
		_ = s.Topics.EditButtons(ctx, s.OperatorChat, in.MessageID, nil) // answered: no second press
	}
	return s.close(ctx, caseID, code, op)
}

// closeCommand is /close: without words it asks the outcome with buttons,
// with words it closes at once with them as the outcome.
func (s *Service) closeCommand(ctx context.Context, c cases.Case, in chat.Incoming, op cases.Operator, arg string) ([]chat.Outgoing, error) {
	if c.Status == cases.StatusClosed {
		return []chat.Outgoing{s.reply(c, in, s.deskText("console.desk.closed_topic", nil))}, nil
	}
	if strings.TrimSpace(arg) == "" {
		return []chat.Outgoing{s.closeAsk(c, in)}, nil
	}
	return s.close(ctx, c.ID, strings.TrimSpace(arg), op)
}

// cardPressed remembers which message is the case's card (its buttons are
// then kept in line with the case).
func (s *Service) cardPressed(ctx context.Context, caseID string, in chat.Incoming) {
	if in.MessageID == 0 {
		return
	}
	if c, err := s.Cases.Get(ctx, caseID); err == nil && c.ThreadID != 0 && c.ThreadID == in.ThreadID && c.CardMessageID != in.MessageID {
		_ = s.Cases.SetCard(ctx, c.ID, c.ThreadID, in.MessageID)
	}
}
