// Package cases is the escalation desk: when the bot's information is not
// enough, a conversation becomes a Case that a counsellor ("operator") at a
// help point takes, answers, refers to a service and closes. The Telegram
// adapter and the web console use this package; it holds no Telegram code.
//
// What is guaranteed, and how (see docs/ARCHITECTURE.md for the store's
// limits):
//
//   - Claims are inserts under the unique _id index of "case_claims", never
//     read-modify-write: a case number ("casenum#<n>"), the one open case of
//     a person on a topic ("<chatID>#<topic>#open"), and the operator who
//     took a case ("<caseID>#take"). Number claims are never deleted; the
//     next number is found from a hint ("casenum#hint", raised best effort,
//     never above a claimed number) by a few reads by _id, so opening a case
//     costs the same after 20,000 cases as after one (claims.go).
//   - A case changes by the insert of its next revision ("case_revisions",
//     revisions.go): of two changes computed from the same state exactly
//     one is stored, the other is computed again from the new state (or
//     refused, ErrClosed). So concurrent changes from any number of
//     processes and from the console and the desk at once lose nothing and
//     never reopen a closed case; conditional updates, which the embedded
//     FerretDB does not apply atomically, are never relied on.
//   - Conversation messages ("case_messages") and the ids Telegram gave
//     their copies ("case_deliveries") grow with traffic and are append-only:
//     inserted once under a caller-given _id, deleted only when a person's
//     data is erased.
//   - Personal data is erasable: Forget and SweepClosed delete a person's
//     messages and strip everything personal from their cases, and
//     FindTraces proves it by reading every stored document as raw BSON.
package cases

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a case stands. Only the constants below are valid.
type Status string

// The statuses of a case.
const (
	// StatusNew: opened, nobody has taken it yet.
	StatusNew Status = "new"
	// StatusTaken: an operator has it.
	StatusTaken Status = "taken"
	// StatusWaiting: the operator waits for the person to answer.
	StatusWaiting Status = "waiting"
	// StatusReferred: the person was referred to a service (still open).
	StatusReferred Status = "referred"
	// StatusClosed: done; the person may open a new case on the topic.
	StatusClosed Status = "closed"
)

// Valid reports whether s is one of the Status constants.
func (s Status) Valid() bool {
	switch s {
	case StatusNew, StatusTaken, StatusWaiting, StatusReferred, StatusClosed:
		return true
	}
	return false
}

// IsOpen reports whether a case in this status still counts as the
// person's open case on its topic (every valid status but closed).
func (s Status) IsOpen() bool { return s.Valid() && s != StatusClosed }

// Feedback is the person's answer to "did this help you?".
type Feedback string

// The feedback values.
const (
	FeedbackHelped Feedback = "helped"
	FeedbackPartly Feedback = "partly"
	FeedbackNot    Feedback = "not"
)

// Valid reports whether f is one of the Feedback constants.
func (f Feedback) Valid() bool {
	return f == FeedbackHelped || f == FeedbackPartly || f == FeedbackNot
}

// Outcomes are the closing outcomes counsellors choose from (stored as
// these codes; the desk and the console show them as words). Any other
// Outcome is a counsellor's own words.
var Outcomes = []string{"answered", "referred", "no_reply", "out_of_scope"}

// Operator is a counsellor. ID is stable and unique among operators (for
// example "tg:<Telegram user id>", or a console login); Name is what other
// operators and the person see.
type Operator struct {
	ID   string `bson:"id" json:"id"`
	Name string `bson:"name" json:"name"`
}

// IsZero reports whether o names nobody (so it is left out when stored).
func (o Operator) IsZero() bool { return o.ID == "" && o.Name == "" }

// Referral records that an operator sent the person to a service of the
// directory.
type Referral struct {
	// ServiceID is a directory service ID.
	ServiceID string   `bson:"service_id" json:"service_id"`
	By        Operator `bson:"by" json:"by"`
	// Note is free text for other operators; erased with personal data.
	Note string    `bson:"note,omitempty" json:"note,omitempty"`
	At   time.Time `bson:"at" json:"at"`
}

// Case is one escalated conversation of one person on one topic. Its bson
// tags are its stored form in the "cases" collection (no nested arrays:
// Answers is a sub-document, Referrals a list of sub-documents).
type Case struct {
	// ID is "C-" and at least six digits ("C-000123"), see FormatID.
	ID string `bson:"_id" json:"id"`
	// ChatID is the person's private chat with the bot; 0 once erased.
	ChatID int64 `bson:"chat_id" json:"chat_id"`
	// PersonName is the name the person has on Telegram.
	PersonName string `bson:"person_name,omitempty" json:"person_name,omitempty"`
	// Lang is the language the person uses ("ar", "en", "pt-BR"; may be empty).
	Lang string `bson:"lang,omitempty" json:"lang,omitempty"`
	// Topic is what the case is about ("permits", "health", "urgent"):
	// a-z, 0-9 and "-".
	Topic string `bson:"topic" json:"topic"`
	// HelpPoint is the directory ID of the help point handling it (may be
	// empty).
	HelpPoint string `bson:"help_point,omitempty" json:"help_point,omitempty"`
	Status    Status `bson:"status" json:"status"`
	Urgent    bool   `bson:"urgent,omitempty" json:"urgent,omitempty"`
	// Assignee is the operator who took the case (zero while new).
	Assignee Operator `bson:"assignee,omitempty" json:"assignee,omitzero"`
	// ThreadID is the case's topic in the operators' forum (0 until created).
	ThreadID int `bson:"thread_id,omitempty" json:"thread_id,omitempty"`
	// CardMessageID is the message in that topic that shows the case card.
	CardMessageID int `bson:"card_message_id,omitempty" json:"card_message_id,omitempty"`
	// Answers are what the bot's flows collected before escalating.
	Answers map[string]string `bson:"answers,omitempty" json:"answers,omitempty"`
	// Summary is the person's first words (optional).
	Summary   string     `bson:"summary,omitempty" json:"summary,omitempty"`
	Referrals []Referral `bson:"referrals,omitempty" json:"referrals,omitempty"`
	// Outcome is what the operator wrote when closing.
	Outcome  string   `bson:"outcome,omitempty" json:"outcome,omitempty"`
	ClosedBy Operator `bson:"closed_by,omitempty" json:"closed_by,omitzero"`
	// BridgeOff is set when an operator switched the language bridge off
	// for this case (a cultural mediator joined, say): messages then pass
	// untranslated.
	BridgeOff bool `bson:"bridge_off,omitempty" json:"bridge_off,omitempty"`
	// Feedback is the person's rating after the case (optional).
	Feedback Feedback `bson:"feedback,omitempty" json:"feedback,omitempty"`

	Created time.Time `bson:"created" json:"created"`
	// FirstResponse is when an operator first wrote to the person.
	FirstResponse time.Time `bson:"first_response,omitempty" json:"first_response,omitzero"`
	// Updated is the last change of the case document (messages do not
	// change it).
	Updated time.Time `bson:"updated" json:"updated"`
	Closed  time.Time `bson:"closed,omitempty" json:"closed,omitzero"`
	// Erased is when the personal content was removed (Forget or
	// SweepClosed); zero while it is there.
	Erased time.Time `bson:"erased,omitempty" json:"erased,omitzero"`

	// Rev is the case's revision (0 as opened; see revisions.go).
	Rev int64 `bson:"rev,omitempty" json:"-"`
	// PurgePending marks an erased case whose messages may not all be
	// deleted yet (see erase).
	PurgePending bool `bson:"purge_pending,omitempty" json:"-"`
}

// IsErased reports whether the case's personal content has been removed.
func (c Case) IsErased() bool { return !c.Erased.IsZero() }

// IDPrefix starts every case ID.
const IDPrefix = "C-"

// FormatID writes case number n as its ID: "C-000123" (more digits past
// 999999).
func FormatID(n int64) string { return fmt.Sprintf("%s%06d", IDPrefix, n) }

// ParseID returns the number of a case ID written by FormatID; ok is false
// for anything else.
func ParseID(id string) (n int64, ok bool) {
	digits, found := strings.CutPrefix(id, IDPrefix)
	if !found || len(digits) < 6 || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 || FormatID(n) != id {
		return 0, false
	}
	return n, true
}

// Limits on what a case and a message may hold.
const (
	// MaxTopicLength bounds Topic and HelpPoint.
	MaxTopicLength = 40
	// MaxNameLength bounds PersonName and operator names.
	MaxNameLength = 256
	// MaxTextLength bounds Summary, Outcome, notes, answers and message
	// texts (Telegram's longest message is 4096 characters; operators'
	// notes may be longer).
	MaxTextLength = 16384
	// MaxAnswers bounds the number of Answers.
	MaxAnswers = 100
)

var (
	slugPattern   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	langPattern   = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	answerPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// ValidationError lists every problem of one case or message.
type ValidationError struct {
	// What is "case C-000123", "open request" or "message u42".
	What     string
	Problems []string
}

// Error reads `case "C-000123": problem; problem`.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s: %s", e.What, strings.Join(e.Problems, "; "))
}

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err(what string) error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{What: what, Problems: p}
}

func checkSlug(p *problems, field, v string, required bool) {
	switch {
	case v == "" && required:
		p.add("%s is empty", field)
	case v != "" && (len(v) > MaxTopicLength || !slugPattern.MatchString(v)):
		p.add("%s %q must be a-z, 0-9 and single \"-\" between them, at most %d characters", field, v, MaxTopicLength)
	}
}

func checkText(p *problems, field, v string, limit int) {
	if !utf8.ValidString(v) {
		p.add("%s is not valid UTF-8", field)
	} else if utf8.RuneCountInString(v) > limit {
		p.add("%s is longer than %d characters", field, limit)
	}
}

func checkOperator(p *problems, field string, o Operator) {
	if o.ID == "" {
		p.add("%s has no id", field)
	}
	checkText(p, field+" id", o.ID, MaxNameLength)
	checkText(p, field+" name", o.Name, MaxNameLength)
}

func checkAnswers(p *problems, answers map[string]string) {
	if len(answers) > MaxAnswers {
		p.add("more than %d answers", MaxAnswers)
	}
	for k, v := range answers {
		if !answerPattern.MatchString(k) {
			p.add("answer key %q must be 1-64 of A-Z a-z 0-9 _ -", k)
		}
		checkText(p, "answer "+k, v, MaxTextLength)
	}
}

// Validate returns nil when c can be stored, else a *ValidationError with
// every problem found. An erased case may (and must) have no chat id, name,
// answers or summary.
func (c Case) Validate() error {
	var p problems
	if _, ok := ParseID(c.ID); !ok {
		p.add("id %q is not a case id like C-000123", c.ID)
	}
	if c.IsErased() {
		if c.ChatID != 0 || c.PersonName != "" || len(c.Answers) > 0 || c.Summary != "" || c.Outcome != "" {
			p.add("an erased case still holds personal content")
		}
		if c.Status != StatusClosed {
			p.add("an erased case must be closed")
		}
	} else if c.ChatID == 0 {
		p.add("chat id is 0")
	}
	checkText(&p, "person name", c.PersonName, MaxNameLength)
	if c.Lang != "" && !langPattern.MatchString(c.Lang) {
		p.add("lang %q is not a language code like it, en, pt-BR", c.Lang)
	}
	checkSlug(&p, "topic", c.Topic, true)
	checkSlug(&p, "help point", c.HelpPoint, false)
	if !c.Status.Valid() {
		p.add("status %q is unknown (valid: new, taken, waiting, referred, closed)", c.Status)
	}
	if (c.Status == StatusTaken || c.Status == StatusWaiting) && c.Assignee.ID == "" {
		p.add("a %s case needs an assignee", c.Status)
	}
	if !c.Assignee.IsZero() {
		checkOperator(&p, "assignee", c.Assignee)
	}
	if c.ThreadID < 0 || c.CardMessageID < 0 {
		p.add("thread and card message ids must not be negative")
	}
	checkAnswers(&p, c.Answers)
	checkText(&p, "summary", c.Summary, MaxTextLength)
	checkText(&p, "outcome", c.Outcome, MaxTextLength)
	for i, r := range c.Referrals {
		checkSlug(&p, fmt.Sprintf("referral %d service", i+1), r.ServiceID, true)
		checkOperator(&p, fmt.Sprintf("referral %d operator", i+1), r.By)
		checkText(&p, fmt.Sprintf("referral %d note", i+1), r.Note, MaxTextLength)
	}
	if c.Feedback != "" && !c.Feedback.Valid() {
		p.add("feedback %q is unknown (valid: helped, partly, not)", c.Feedback)
	}
	if c.Created.IsZero() {
		p.add("created time is missing")
	}
	if (c.Status == StatusClosed) != !c.Closed.IsZero() {
		p.add("closed time must be set exactly when the status is closed")
	}
	return p.err(fmt.Sprintf("case %q", c.ID))
}
