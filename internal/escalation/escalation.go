// Package escalation connects a person to a counsellor ("operator") at a
// help point. A case (internal/cases) gets its own topic in the operators'
// Telegram forum group: what the person sends is copied into the topic,
// what an operator writes there reaches the person through the bot, signed
// with the help point's name. Operators take, note and close cases with
// commands or the case card's buttons. Everything is persisted through the
// runtime's outbox, so nothing is lost on a crash or a 429.
//
// The package sees no Telegram types: it speaks chat.Incoming/Outgoing and
// creates topics through the Topics interface.
package escalation

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
)

// Topics creates, renames, closes and reopens forum topics, edits the
// buttons of the bot's messages, and sends a message at once, outside the
// outbox (bot.Runtime does all of it). All but CreateTopic are cosmetic:
// the desk goes on when they fail.
type Topics interface {
	CreateTopic(ctx context.Context, chatID int64, name string) (int, error)
	RenameTopic(ctx context.Context, chatID int64, threadID int, name string) error
	CloseTopic(ctx context.Context, chatID int64, threadID int) error
	ReopenTopic(ctx context.Context, chatID int64, threadID int) error
	EditButtons(ctx context.Context, chatID int64, messageID int, buttons [][]chat.Button) error
	SendNow(ctx context.Context, out chat.Outgoing) (int, error)
}

// Texts localizes (locales.Catalog does).
type Texts interface {
	Text(lang, id string, data map[string]any) string
	Isolate(lang, s string) string
}

// OperatorLang is the language of the texts operators read.
const OperatorLang = "it"

// Service is the escalation desk.
type Service struct {
	Cases  *cases.Cases
	Topics Topics
	Texts  Texts
	// OperatorChat is the operators' forum supergroup; 0 disables topics
	// (cases are then only in the store and the console).
	OperatorChat int64
	// HelpPointName names a help point for signatures ("" → the generic
	// "Punto di aiuto PRILS").
	HelpPointName func(site string) string
	// Directory resolves /refer (nil: /refer is not offered).
	Directory Directory
	// Hours are the help points' office hours (nil: always answered).
	Hours func(site string) *cases.OfficeHours
	Now   func() time.Time
	// NewAfterClose opens a new case when a person writes on a closed one
	// (default: the closed case is reopened).
	NewAfterClose bool
	// Observe receives anonymous facts for the observatory (first answer
	// and its delay in minutes, referral, closing, feedback); nil: none.
	Observe func(ctx context.Context, kind, lang, topic, site, bucket string, value int, chatID int64)
	// Translator is the language bridge (nil: off, nothing is sent to a
	// translation service). See bridge.go.
	Translator Translator
	// DeskTexts holds operators' texts added since the desk grew
	// ("console.desk.*", Italian; the console's catalogue). nil: Texts.
	DeskTexts interface {
		Text(lang, id string, data map[string]any) string
	}
	// Log receives warnings (a failed translation); nil: none.
	Log *slog.Logger

	// topicMu makes this process's lanes take turns creating a case's
	// topic (other processes are settled by cases.ClaimThread).
	topicMu sync.Mutex
}

func (s *Service) observe(ctx context.Context, kind string, c cases.Case, bucket string, value int) {
	if s.Observe != nil && c.ChatID != 0 {
		s.Observe(ctx, kind, c.Lang, c.Topic, c.HelpPoint, bucket, value, c.ChatID)
	}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) helpPoint(site, lang string) string {
	if s.HelpPointName != nil {
		if name := s.HelpPointName(site); name != "" {
			return name
		}
	}
	return s.Texts.Text(lang, "case.help_point", nil)
}

// topicTitle is how a case's topic is named so an operator can scan the
// list: number, language, topic, help point; urgent ones marked.
func topicTitle(c cases.Case) string {
	parts := []string{c.ID, c.Lang, c.Topic}
	if c.HelpPoint != "" {
		parts = append(parts, c.HelpPoint)
	}
	title := strings.Join(parts, " · ")
	if c.Urgent {
		title = "🔴 " + title
	}
	if c.Status.IsOpen() && c.Status != cases.StatusNew && c.Assignee.Name != "" {
		title += " · " + c.Assignee.Name
	}
	if c.Status == cases.StatusClosed {
		title = "🔒 " + title
	}
	return title
}

// card is the first message of a case's topic: who, language, topic, what
// the flows collected, with the Take and Close buttons.
func (s *Service) card(ctx context.Context, c cases.Case) chat.Outgoing {
	var b strings.Builder
	b.WriteString(s.Texts.Text(OperatorLang, "case.card", map[string]any{
		"Case": c.ID, "Name": c.PersonName, "Lang": c.Lang, "Topic": c.Topic,
		"HelpPoint": c.HelpPoint, "Created": c.Created.In(rome).Format("02/01/2006 15:04"),
	}))
	if c.Urgent {
		b.WriteString("\n" + s.Texts.Text(OperatorLang, "case.card_urgent", nil))
	}
	for k, v := range c.Answers {
		if k == "case" || k == "topic" {
			continue
		}
		fmt.Fprintf(&b, "\n• %s: %s", k, v)
	}
	if c.Summary != "" {
		b.WriteString("\n\n" + c.Summary)
	}
	if line := s.readersLine(ctx, c); line != "" {
		b.WriteString("\n\n" + line)
	}
	if s.bridgeOn(c) {
		b.WriteString("\n" + s.bridgeState(c))
	}
	return chat.Outgoing{ChatID: s.OperatorChat, ThreadID: c.ThreadID, Text: b.String(), Urgent: c.Urgent, Buttons: s.cardButtons(c)}
}

// cardButtons are the card's buttons for the case as it stands: Take while
// nobody has it, Close while it is open, none once closed.
func (s *Service) cardButtons(c cases.Case) [][]chat.Button {
	var row []chat.Button
	if c.Status == cases.StatusNew {
		row = append(row, chat.Button{Text: "✋ " + s.Texts.Text(OperatorLang, "case.button_take", nil), Data: dataTake + c.ID})
	}
	if c.Status.IsOpen() {
		row = append(row, chat.Button{Text: "✅ " + s.Texts.Text(OperatorLang, "case.button_close", nil), Data: dataClose + c.ID})
	}
	if len(row) == 0 {
		return nil
	}
	return [][]chat.Button{row}
}

// refreshCard brings the card's buttons and the topic's name and state in
// line with the case (cosmetic: failures are ignored). The card is known
// once a button of it was pressed (CardMessageID).
func (s *Service) refreshCard(ctx context.Context, c cases.Case) {
	if c.ThreadID == 0 || s.OperatorChat == 0 {
		return
	}
	if c.CardMessageID != 0 {
		_ = s.Topics.EditButtons(ctx, s.OperatorChat, c.CardMessageID, s.cardButtons(c))
	}
	_ = s.Topics.RenameTopic(ctx, s.OperatorChat, c.ThreadID, topicTitle(c))
}

// Callback data of the case card, the desk's questions and the feedback
// question. Each fits Telegram's 64 bytes with a case ID and a service ID.
const (
	dataTake     = "op:take:"
	dataClose    = "op:close:"
	dataOutcome  = "op:out:" // op:out:<case>:<outcome code>
	dataRefer    = "op:ref:" // op:ref:<case>:<service id>
	DataFeedback = "fb:"     // fb:<helped|partly|not>:<case>
)

var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return loc
}()
