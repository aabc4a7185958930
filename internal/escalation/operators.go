package escalation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
)

// Handle is the runtime's handler for the operators' group. Messages in a
// case's topic reach the person, signed with the help point's name;
// /take, /close [outcome], /note <text>, /refer <service id>, /t <key> (a
// canned answer in the person's language) and the card's buttons manage
// the case. Telegram only delivers a group's messages from its members, so
// whoever writes here is an operator; the general topic and topics that
// are not cases are ignored.
func (s *Service) Handle(ctx context.Context, sess *store.Session, in chat.Incoming) ([]chat.Outgoing, error) {
	out, err := s.handle(ctx, sess, in)
	if errors.Is(err, cases.ErrClosed) {
		// Closed by someone else a moment before (the console, another
		// process): nothing changed; the operator is told.
		return []chat.Outgoing{{ChatID: s.OperatorChat, ThreadID: in.ThreadID, ReplyTo: in.MessageID,
			CallbackID: in.CallbackID, Text: s.deskText("console.desk.closed_topic", nil)}}, nil
	}
	return out, err
}

func (s *Service) handle(ctx context.Context, _ *store.Session, in chat.Incoming) ([]chat.Outgoing, error) {
	if s.OperatorChat == 0 || in.ChatID != s.OperatorChat {
		return nil, nil
	}
	op := cases.Operator{ID: strconv.FormatInt(in.From.ID, 10), Name: in.From.FirstName}
	if in.Kind == chat.KindButton {
		var out []chat.Outgoing
		var err error
		switch {
		case strings.HasPrefix(in.Data, dataTake):
			s.cardPressed(ctx, strings.TrimPrefix(in.Data, dataTake), in)
			out, err = s.take(ctx, strings.TrimPrefix(in.Data, dataTake), op)
		case strings.HasPrefix(in.Data, dataClose):
			caseID := strings.TrimPrefix(in.Data, dataClose)
			s.cardPressed(ctx, caseID, in)
			var c cases.Case
			if c, err = s.Cases.Get(ctx, caseID); err == nil {
				out, err = s.closeCommand(ctx, c, chat.Incoming{MessageID: in.MessageID}, op, "")
			}
		case strings.HasPrefix(in.Data, dataOutcome):
			out, err = s.outcomeChosen(ctx, in, op)
		case strings.HasPrefix(in.Data, dataRefer):
			out, err = s.referPressed(ctx, in, op)
		}
		if len(out) > 0 {
			out[0].CallbackID = in.CallbackID
		}
		return out, err
	}
	switch cmd, arg := in.Command(); cmd { // anywhere in the group
	case "languages":
		return s.languagesCommand(ctx, in, op, arg)
	case "help", "start":
		return []chat.Outgoing{{ChatID: s.OperatorChat, ThreadID: in.ThreadID, ReplyTo: in.MessageID, Text: s.deskText("console.desk.help", nil)}}, nil
	}
	if in.ThreadID == 0 {
		return nil, nil
	}
	c, ok, err := s.Cases.ByThread(ctx, in.ThreadID)
	if err != nil || !ok {
		return nil, err
	}
	if cmd, arg := in.Command(); cmd != "" {
		switch cmd {
		case "take":
			return s.take(ctx, c.ID, op)
		case "close":
			return s.closeCommand(ctx, c, in, op, arg)
		case "refer":
			return s.refer(ctx, c, in, op, arg, "")
		case "services":
			return s.servicesCommand(ctx, c, in, arg)
		case "t":
			return s.canned(ctx, c, in, op, arg)
		case "bridge":
			return s.bridgeCommand(ctx, c, in, arg)
		case "note":
			if _, err := s.Cases.AddMessage(ctx, cases.Message{ID: fmt.Sprintf("u%d", in.UpdateID), Case: c.ID,
				Direction: cases.DirNote, Text: arg, OperatorID: op.ID, OperatorName: op.Name, TopicMessageID: in.MessageID}); err != nil {
				return nil, err
			}
			return []chat.Outgoing{s.reply(c, in, s.Texts.Text(OperatorLang, "case.note_saved_kept", nil))}, nil
		default:
			return []chat.Outgoing{s.reply(c, in, s.deskText("console.desk.help", nil))}, nil
		}
	}
	if in.Kind == chat.KindIgnored || in.Kind == chat.KindUnsupported && in.FileID == "" {
		return nil, nil
	}
	if in.Kind == chat.KindEdited { // the person gets the corrected text as a new message
		in.Kind, in.Text = chat.KindText, "✏️ "+in.Text
	}
	return s.toPerson(ctx, c, in, op, fmt.Sprintf("u%d", in.UpdateID), true)
}

// toPerson relays an operator's message to the person, signed with the
// help point's name, and records it. bridge lets the language bridge
// translate a text (ready answers and the bot's own texts pass false: they
// are already in the person's reviewed language).
func (s *Service) toPerson(ctx context.Context, c cases.Case, in chat.Incoming, op cases.Operator, messageID string, bridge bool) ([]chat.Outgoing, error) {
	if c.IsErased() || c.ChatID == 0 {
		return []chat.Outgoing{s.reply(c, in, s.Texts.Text(OperatorLang, "case.person_forgot", nil))}, nil
	}
	var tr bridged
	if bridge && in.Kind == chat.KindText {
		tr = s.translate(ctx, c, in.Text, OperatorLang, c.Lang)
	}
	if _, err := s.Cases.AddMessage(ctx, cases.Message{ID: messageID, Case: c.ID,
		Direction: cases.DirOut, Text: in.Text, MediaType: in.MediaType, FileID: in.FileID,
		TopicMessageID: in.MessageID, OperatorID: op.ID, OperatorName: op.Name,
		Translation: tr.Translation, TranslationFailed: tr.Failed}); err != nil {
		return nil, err
	}
	if c.FirstResponse.IsZero() {
		s.observe(ctx, "first_response", c, "", int(s.now().Sub(c.Created).Minutes()))
	}
	if err := s.Cases.MarkFirstResponse(ctx, c.ID, s.now()); err != nil {
		return nil, err
	}
	var out []chat.Outgoing
	if c.Assignee.ID == "" && c.Status != cases.StatusClosed { // answering a case takes it, as in any helpdesk
		taken, err := s.take(ctx, c.ID, op)
		if err != nil && !errors.Is(err, cases.ErrClosed) { // closed meanwhile: the reply still goes
			return nil, err
		}
		out = append(out, taken...)
		if c, err = s.Cases.Get(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	if c.Status == cases.StatusTaken {
		if _, err := s.Cases.SetWaiting(ctx, c.ID, true); err != nil && !errors.Is(err, cases.ErrClosed) {
			return nil, err
		}
	}
	signature := "🏢 " + s.helpPoint(c.HelpPoint, c.Lang)
	if in.Kind == chat.KindText {
		out = append(out, chat.Outgoing{ChatID: c.ChatID, Text: signature + ":\n" + s.toPersonText(c, in.Text, tr)})
		if tr.Failed && s.OperatorChat != 0 && c.ThreadID != 0 {
			out = append(out, s.reply(c, in, s.deskText("console.desk.bridge_failed_out", nil)))
		}
		return out, nil
	}
	// Media, locations, contacts arrive as they are; a media caption keeps
	// the signature.
	m := chat.Outgoing{ChatID: c.ChatID, CopyOf: &chat.MessageRef{ChatID: s.OperatorChat, MessageID: in.MessageID}}
	if in.FileID != "" {
		m.MediaType = in.MediaType
		m.Text = signature
		if in.Text != "" {
			m.Text += ":\n" + in.Text
		}
	}
	return append(out, m), nil
}

// take claims the case for the operator; exactly one of several operators
// pressing at once wins, the others are told who has it.
func (s *Service) take(ctx context.Context, caseID string, op cases.Operator) ([]chat.Outgoing, error) {
	winner, won, err := s.Cases.Take(ctx, caseID, op)
	if err != nil {
		return nil, err
	}
	c, err := s.Cases.Get(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if !won {
		return []chat.Outgoing{s.toTopic(c, s.Texts.Text(OperatorLang, "case.already_taken", map[string]any{"Operator": winner.Name}))}, nil
	}
	out := []chat.Outgoing{s.toTopic(c, s.Texts.Text(OperatorLang, "case.taken", map[string]any{"Operator": winner.Name}))}
	if c.ChatID != 0 && !c.IsErased() {
		out = append(out, chat.Outgoing{ChatID: c.ChatID, Text: s.Texts.Text(c.Lang, "case.taken_person", nil)})
	}
	s.refreshCard(ctx, c) // no more Take; the name shows who has it
	return out, nil
}

// close closes the case, tells the person in their language and asks
// whether it helped.
func (s *Service) close(ctx context.Context, caseID, outcome string, op cases.Operator) ([]chat.Outgoing, error) {
	c, err := s.Cases.Get(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if c.Status == cases.StatusClosed {
		return nil, nil // a second press
	}
	c, closed, err := s.Cases.CloseCase(ctx, caseID, outcome, op)
	if err != nil {
		return nil, err
	}
	if !closed { // closed a moment before by someone else (the console, another process)
		return []chat.Outgoing{s.toTopic(c, s.deskText("console.desk.closed_topic", nil))}, nil
	}
	s.observe(ctx, "case_closed", c, outcomeCode(outcome), 0)
	out := []chat.Outgoing{s.toTopic(c, s.Texts.Text(OperatorLang, "case.closed_op", map[string]any{"Operator": op.Name, "Outcome": s.outcomeWords(outcome)}))}
	s.refreshCard(ctx, c) // no buttons, 🔒 in the name
	if c.ThreadID != 0 && s.OperatorChat != 0 {
		_ = s.Topics.CloseTopic(ctx, s.OperatorChat, c.ThreadID)
	}
	if c.ChatID != 0 && !c.IsErased() {
		lang := c.Lang
		b := func(value, id string) chat.Button {
			return chat.Button{Text: s.Texts.Text(lang, id, nil), Data: DataFeedback + value + ":" + buttonRef(c)}
		}
		out = append(out, chat.Outgoing{ChatID: c.ChatID, Text: s.Texts.Text(lang, "case.closed", nil), Buttons: [][]chat.Button{{
			b(string(cases.FeedbackHelped), "feedback.helped"), b(string(cases.FeedbackPartly), "feedback.partly"), b(string(cases.FeedbackNot), "feedback.not"),
		}}})
	}
	return out, nil
}

// reply answers an operator in the topic, quoting their message.
func (s *Service) reply(c cases.Case, in chat.Incoming, text string) chat.Outgoing {
	return chat.Outgoing{ChatID: s.OperatorChat, ThreadID: c.ThreadID, Text: text, ReplyTo: in.MessageID}
}

// PersonBlocked posts in the person's open case topics that they blocked
// the bot (the runtime calls it after a 403).
func (s *Service) PersonBlocked(ctx context.Context, chatID int64) []chat.Outgoing {
	c, ok, err := s.Cases.LatestCaseOf(ctx, chatID)
	if err != nil || !ok || c.ThreadID == 0 || s.OperatorChat == 0 {
		return nil
	}
	return []chat.Outgoing{s.toTopic(c, s.Texts.Text(OperatorLang, "case.person_blocked", nil))}
}

// Forgotten erases the person's cases (cases.Forget) and then their copies
// in the operators' group (eraseTopic), returning what tells the operators
// what happened and what, if anything, remains.
func (s *Service) Forgotten(ctx context.Context, chatID int64) ([]chat.Outgoing, error) {
	list, err := s.Cases.CasesOf(ctx, chatID) // the person's cases only, never all of them
	if err != nil {
		return nil, err
	}
	// Erase first: a message still queued for a deleted topic then finds
	// an erased case and is given up instead of recreating the topic.
	if err := s.Cases.Forget(ctx, chatID); err != nil {
		return nil, err
	}
	var out []chat.Outgoing
	for _, c := range list {
		if c.ChatID == chatID && c.ThreadID != 0 && s.OperatorChat != 0 {
			out = append(out, s.eraseTopic(ctx, c)...)
		}
	}
	return out, nil
}

// Reply sends a reply an operator wrote in the web console: it reaches the
// person exactly like one written in the topic, and a copy is posted in the
// topic so both places show the whole conversation. messageID must be
// unique to this reply (a replay keeps one).
func (s *Service) Reply(ctx context.Context, caseID string, op cases.Operator, text, messageID string) ([]chat.Outgoing, error) {
	c, err := s.Cases.Get(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out, err := s.toPerson(ctx, c, chat.Incoming{Kind: chat.KindText, Text: text}, op, messageID, true)
	if err != nil || c.ThreadID == 0 || s.OperatorChat == 0 {
		return out, err
	}
	copyInTopic := s.toTopic(c, "💻 "+op.Name+":\n"+text)
	return append(out, copyInTopic), nil
}

// Take, Close and Refer are the operators' group actions for callers
// outside Telegram (the web console): the same effects and the same
// messages — notices in the case's topic, the person told in their
// language — which the caller enqueues. So both places stay in sync.

// Take claims a case for op; see the /take command.
func (s *Service) Take(ctx context.Context, caseID string, op cases.Operator) (winner cases.Operator, won bool, out []chat.Outgoing, err error) {
	out, err = s.take(ctx, caseID, op)
	if err != nil {
		return cases.Operator{}, false, nil, err
	}
	c, err := s.Cases.Get(ctx, caseID)
	if err != nil {
		return cases.Operator{}, false, nil, err
	}
	return c.Assignee, c.Assignee.ID == op.ID, out, nil
}

// Close closes a case; see the /close command.
func (s *Service) Close(ctx context.Context, caseID, outcome string, op cases.Operator) (cases.Case, []chat.Outgoing, error) {
	out, err := s.close(ctx, caseID, outcome, op)
	if err != nil {
		return cases.Case{}, nil, err
	}
	c, err := s.Cases.Get(ctx, caseID)
	return c, out, err
}

// Refer sends the person a service and records it with the operator's
// note for colleagues (may be empty); see the /refer command.
func (s *Service) Refer(ctx context.Context, caseID, serviceID string, op cases.Operator, note string) (cases.Case, []chat.Outgoing, error) {
	c, err := s.Cases.Get(ctx, caseID)
	if err != nil {
		return cases.Case{}, nil, err
	}
	out, err := s.refer(ctx, c, chat.Incoming{}, op, serviceID, note)
	if err != nil {
		return cases.Case{}, nil, err
	}
	c, err = s.Cases.Get(ctx, caseID)
	return c, out, err
}

// outcomeCode is the observatory's code of a closing outcome (the plan's
// "cases by outcome"): one of cases.Outcomes with "-" for "_" (codes are
// a-z, 0-9 and "-"), or "other" for a counsellor's own words, which are
// never recorded.
func outcomeCode(outcome string) string {
	if slices.Contains(cases.Outcomes, outcome) {
		return strings.ReplaceAll(outcome, "_", "-")
	}
	return "other"
}
