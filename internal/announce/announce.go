// Package announce lets schools and coordinators send announcements to
// learners and users: the learners of a course or of a site, a course's
// waiting list, or (coordinators only) everyone who consented to news,
// optionally by language or help point.
//
// An announcement becomes one outbox entry per recipient, with the id
// "ann:<announcement>:<chat>" and bulk priority: the runtime's sender paces
// them within Telegram's limits behind interactive replies, a restart
// resumes them from the outbox, and queueing the same announcement again
// (a retry, a double click) adds nobody twice. The delivery report is read
// back from the outbox and its outcomes by that id prefix.
package announce

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Roles of an announcement's author.
const (
	RoleSchool      = "school"
	RoleCoordinator = "coordinator"
)

// Audience kinds.
const (
	// KindCourse: the learners enrolled in Audience.Course.
	KindCourse = "course"
	// KindSite: the learners enrolled in any course of Audience.Site.
	KindSite = "site"
	// KindWaiting: the waiting list of Audience.Course, or of every course
	// of Audience.Site when Course is empty.
	KindWaiting = "waiting"
	// KindNews: everyone who consented and did not stop announcements,
	// optionally only those speaking Audience.Lang or who came from help
	// point Audience.HelpPoint. Coordinators only.
	KindNews = "news"
)

// Templates are the names of the ready-made texts; each is the locale id
// "announce.template.<name>" with the placeholders {{.Course}}, {{.Date}}
// and {{.Place}}.
var Templates = []string{"lesson_cancelled", "room_changed", "exam_date", "enrolment_open"}

// TemplateParams are the keys a template's Params may hold.
var TemplateParams = []string{"Course", "Date", "Place"}

// Locale ids used by this package (besides the templates).
const (
	// FromSchoolID is the line put before the Italian text for a
	// recipient whose language has no translation.
	FromSchoolID = "announce.from_school"
	// NewsOffID labels the button under an announcement that stops them.
	NewsOffID = "settings.news_off"
	// NewsOffData is the button's callback data (flows.NewsOff).
	NewsOffData = "news:off"
)

// Italian is the language every announcement is written in.
const Italian = "it"

// Audience says who receives an announcement.
type Audience struct {
	Kind      string `bson:"kind"`
	Course    string `bson:"course,omitempty"`
	Site      string `bson:"site,omitempty"`
	Lang      string `bson:"lang,omitempty"`
	HelpPoint string `bson:"help_point,omitempty"`
	// Topic keeps people whose last orientation topic was this one (their
	// topic of interest, e.g. "work"); news audiences only.
	Topic string `bson:"topic,omitempty"`
}

// Announcement is one message to an audience.
type Announcement struct {
	ID     string `bson:"_id"`
	Author string `bson:"author"`
	// Role is RoleSchool or RoleCoordinator; Site is the author's site
	// (a school's own; empty for a coordinator).
	Role     string   `bson:"role"`
	Site     string   `bson:"site,omitempty"`
	Audience Audience `bson:"audience"`
	// Text by language; Italian is required unless Template is set.
	Text map[string]string `bson:"text,omitempty"`
	// Template, when set, gives the text in each recipient's language
	// from the locale "announce.template.<Template>" filled with Params.
	Template string            `bson:"template,omitempty"`
	Params   map[string]string `bson:"params,omitempty"`
	Created  time.Time         `bson:"created"`
	// Recipients is how many people it was queued for; Skipped how many
	// of the audience were left out (blocked the bot, no consent, news
	// stopped). Set by Send.
	Recipients int `bson:"recipients"`
	Skipped    int `bson:"skipped"`
}

// ErrForbidden is returned when the author may not target the audience
// (or see an announcement).
var ErrForbidden = errors.New("announce: not allowed")

// NewID returns a fresh announcement id (16 hex digits).
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Validate checks what can be checked without the store: role, audience
// shape, that a school targets only its own site, and the text. (Service.
// Validate also checks that a course belongs to the school's site.)
func (a *Announcement) Validate() error {
	var problems []string
	bad := func(f string, args ...any) { problems = append(problems, fmt.Sprintf(f, args...)) }
	if a.ID == "" || strings.ContainsAny(a.ID, ":/\\.$") {
		bad("the id is empty or holds one of : / \\ . $")
	}
	switch a.Role {
	case RoleSchool:
		if a.Site == "" {
			return fmt.Errorf("%w: a school without a site", ErrForbidden)
		}
		if a.Audience.Kind == KindNews {
			return fmt.Errorf("%w: only coordinators write to everyone", ErrForbidden)
		}
		if a.Audience.Site == "" {
			a.Audience.Site = a.Site
		}
		if a.Audience.Site != a.Site {
			return fmt.Errorf("%w: a school writes only to its own site", ErrForbidden)
		}
	case RoleCoordinator:
	default:
		return fmt.Errorf("%w: role %q", ErrForbidden, a.Role)
	}
	switch a.Audience.Kind {
	case KindCourse:
		if a.Audience.Course == "" {
			bad("choose a course")
		}
	case KindSite:
		if a.Audience.Site == "" {
			bad("choose a site")
		}
	case KindWaiting:
		if a.Audience.Course == "" && a.Audience.Site == "" {
			bad("choose a course or a site")
		}
	case KindNews:
	default:
		bad("unknown audience %q", a.Audience.Kind)
	}
	if a.Template != "" {
		if !slices.Contains(Templates, a.Template) {
			bad("unknown template %q", a.Template)
		}
		for k := range a.Params {
			if !slices.Contains(TemplateParams, k) {
				bad("unknown template field %q", k)
			}
		}
	} else if strings.TrimSpace(a.Text[Italian]) == "" {
		bad("the Italian text is required")
	}
	if len(problems) > 0 {
		return fmt.Errorf("announce: %s", strings.Join(problems, "; "))
	}
	return nil
}
