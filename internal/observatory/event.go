// Package observatory is the anonymous observatory of Presidio: every
// orientation request, unmatched question, escalation, referral and
// enrolment leaves an Event that says what happened, when (to the hour),
// in which language and for which topic, help point or municipality, and
// nothing else: no chat id, no name, no free text (Validate refuses
// anything but short lower-case codes).
//
// Events are appended to a collection per day, compacted into one roll-up
// document per day once the day is over (see days.go: inserts only, small
// collections read whole), and into the day's views (views.go): partial
// totals per cell that the dashboard and the plan read instead of the
// events, so a year's report stays fast on the embedded store. Reports
// are computed in Go (no aggregation pipelines), published only after small-cell suppression (Suppress), and
// drawn as server-side SVG (BarChart, LineChart) on the Dashboard.
//
// # Person tokens
//
// Event.Person is not a chat id. It is Recorder.Person(chatID): the first
// 16 hex digits of HMAC-SHA256(secret, chat id), where the secret is the
// installation's own and is never stored with the events. It exists only so
// that reports can count distinct people and suppress cells of fewer than
// five; tables and exports never contain it. Without the secret it cannot
// be turned back into a chat id; whoever holds the secret could test chat
// ids one by one, so the secret must stay out of the database and its
// backups. Changing the secret makes the same person count twice across
// the change, and nothing else.
package observatory

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
)

// collectionName is the collection of the events recorded before events
// had a collection per day (see days.go); it is still read.
const collectionName = "observatory_events"

// Kind is what an event records. Only the constants below are valid.
type Kind string

// The kinds of events.
const (
	// KindTopicView: a person opened an orientation topic (Topic).
	KindTopicView Kind = "topic_view"
	// KindUnmatched: a question the bot did not understand (Topic is the
	// best guess, or empty; the question itself is never recorded).
	KindUnmatched Kind = "unmatched"
	// KindEscalation: a person asked to talk to a counsellor.
	KindEscalation Kind = "escalation"
	// KindFirstResponse: a counsellor answered a case for the first time;
	// Value is the minutes since the escalation.
	KindFirstResponse Kind = "first_response"
	// KindReferral: a person was referred to a service; Bucket is the
	// outcome (e.g. "sent", "attended", "no-show").
	KindReferral Kind = "referral"
	// KindCaseClosed: a case was closed; Bucket is the outcome.
	KindCaseClosed Kind = "case_closed"
	// KindFeedback: a person rated the help; Bucket is the answer.
	KindFeedback Kind = "feedback"
	// KindEnrolment: a seat in a course; Bucket is the course level,
	// HelpPoint the site.
	KindEnrolment Kind = "enrolment"
	// KindWaitingList: a place on a course's waiting list (Bucket, HelpPoint
	// as for KindEnrolment).
	KindWaitingList Kind = "waiting_list"
	// KindCourseCancel: a course was cancelled. It is about a course, not
	// a person, so it is the only kind recorded without a Person.
	KindCourseCancel Kind = "course_cancel"
)

var kinds = []Kind{
	KindTopicView, KindUnmatched, KindEscalation, KindFirstResponse,
	KindReferral, KindCaseClosed, KindFeedback, KindEnrolment,
	KindWaitingList, KindCourseCancel,
}

// Kinds returns every valid kind (a new slice on each call).
func Kinds() []Kind { return slices.Clone(kinds) }

// Valid reports whether k is one of the kinds of this package.
func (k Kind) Valid() bool { return slices.Contains(kinds, k) }

// MaxValue bounds Event.Value (ten weeks in minutes).
const MaxValue = 100_800

// Event is one anonymous observation. Every string is a short code, never
// text a person wrote.
type Event struct {
	Kind Kind `bson:"k"`
	// At is when it happened; Record truncates it to the hour, in UTC.
	At time.Time `bson:"at"`
	// Lang is the person's language code ("it", "en", "ar", "zh-hans").
	Lang string `bson:"l,omitempty"`
	// Topic is the orientation topic or flow ("permits", "health").
	Topic string `bson:"t,omitempty"`
	// HelpPoint is the help point, or a course's site.
	HelpPoint string `bson:"hp,omitempty"`
	// Municipality is the comune ("frascati", "marino").
	Municipality string `bson:"m,omitempty"`
	// Value is a small number, e.g. minutes to the first answer.
	Value int `bson:"v,omitempty"`
	// Bucket is a category of the event: an outcome, a feedback answer,
	// a course level ("a1", "a2").
	Bucket string `bson:"b,omitempty"`
	// Person is an anonymous token from Recorder.Person, used only to
	// count distinct people (see the package documentation). Required for
	// every kind but KindCourseCancel.
	Person string `bson:"p,omitempty"`
}

var (
	codeRE   = regexp.MustCompile(`^[a-z0-9-]{0,40}$`)
	personRE = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

// ErrInvalid is matched (errors.Is) by every error of Validate.
var ErrInvalid = errors.New("observatory: invalid event")

// Validate checks that e is anonymous and well formed: a known kind, a
// time, codes of at most 40 characters among a-z, 0-9 and "-" (so no free
// text, names or phone numbers can be stored), a Value in 0..MaxValue and a
// Person token (and none for KindCourseCancel).
func (e Event) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	if !e.Kind.Valid() {
		return bad("unknown kind %q", e.Kind)
	}
	if e.At.IsZero() {
		return bad("no time")
	}
	for _, f := range []struct{ name, v string }{
		{"lang", e.Lang}, {"topic", e.Topic}, {"help point", e.HelpPoint},
		{"municipality", e.Municipality}, {"bucket", e.Bucket},
	} {
		if !codeRE.MatchString(f.v) {
			// The value is not repeated: it may be what a person wrote.
			return bad("%s is not a code of a-z, 0-9 and - (at most 40)", f.name)
		}
	}
	if e.Value < 0 || e.Value > MaxValue {
		return bad("value %d out of 0..%d", e.Value, MaxValue)
	}
	switch {
	case e.Kind == KindCourseCancel && e.Person != "":
		return bad("a course cancellation has no person")
	case e.Kind != KindCourseCancel && !personRE.MatchString(e.Person):
		return bad("person must be a token from Recorder.Person")
	}
	return nil
}

// Recorder appends events to the store. Its methods are safe for
// concurrent use.
type Recorder struct {
	st     *store.Store
	secret []byte
	now    func() time.Time
}

// MinSecretLen is the shortest secret NewRecorder accepts.
const MinSecretLen = 16

// NewRecorder returns a recorder writing to st's day collections
// ("observatory_events.2006-01-02"). secret is the installation's own key for person tokens
// (at least MinSecretLen bytes); keep it out of the store.
func NewRecorder(st *store.Store, secret []byte) (*Recorder, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("observatory: the secret must have at least %d bytes", MinSecretLen)
	}
	return &Recorder{st: st, secret: slices.Clone(secret), now: time.Now}, nil
}

// Person returns the anonymous token of a chat: 16 hex digits of
// HMAC-SHA256(secret, chat id). It is not a chat id and cannot be turned
// back into one without the secret.
func (r *Recorder) Person(chatID int64) string {
	m := hmac.New(sha256.New, r.secret)
	m.Write([]byte(strconv.FormatInt(chatID, 10)))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// Record validates e and appends it to the collection of its day. A zero
// At means now; At is stored truncated to the hour in UTC, so no exact
// time is kept.
func (r *Recorder) Record(ctx context.Context, e Event) error {
	if e.At.IsZero() {
		e.At = r.now()
	}
	e.At = e.At.UTC().Truncate(time.Hour)
	if err := e.Validate(); err != nil {
		return err
	}
	if _, err := r.st.Collection(dayPrefix+dayKey(e.At)).InsertOne(ctx, e); err != nil {
		return fmt.Errorf("observatory: recording %s: %w", e.Kind, err)
	}
	return nil
}
