package app

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/flows"
	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
)

// PersonFile is everything Presidio keeps about one person, as /mydata
// sends it (a JSON file) and as a coordinator exports it for a formal access
// request (then with the counsellors' internal notes). Internal ids
// (Telegram chat, file and operator ids) are left out: they mean nothing to
// the person and are not theirs to keep.
type PersonFile struct {
	Exported      time.Time         `json:"exported"`
	Language      string            `json:"language,omitempty"`
	Consent       string            `json:"consent"`
	Announcements string            `json:"announcements"`
	HelpPoint     string            `json:"help_point,omitempty"`
	Answers       map[string]string `json:"answers,omitempty"`
	Cases         []PersonCase      `json:"cases"`
	Courses       []PersonCourse    `json:"courses"`
	WaitingLists  []PersonWaiting   `json:"waiting_lists"`
	SeatOffers    []PersonWaiting   `json:"seat_offers,omitempty"`
}

// PersonCase is one case with its conversation.
type PersonCase struct {
	ID       string            `json:"id"`
	Topic    string            `json:"topic"`
	Status   string            `json:"status"`
	Opened   time.Time         `json:"opened"`
	Closed   time.Time         `json:"closed,omitzero"`
	Name     string            `json:"name_on_telegram,omitempty"`
	Answers  map[string]string `json:"answers,omitempty"`
	Outcome  string            `json:"outcome,omitempty"`
	Feedback string            `json:"feedback,omitempty"`
	Messages []PersonMessage   `json:"messages"`
}

// PersonMessage is one message of a case: from the person ("you"), a
// counsellor, Presidio itself, or an internal note (coordinators' export
// only).
type PersonMessage struct {
	At    time.Time `json:"at"`
	From  string    `json:"from"`
	Text  string    `json:"text,omitempty"`
	Media string    `json:"media,omitempty"`
}

// PersonCourse is an enrolment in a course.
type PersonCourse struct {
	Course   string    `json:"course"`
	Name     string    `json:"name"`
	Phone    string    `json:"phone"`
	Language string    `json:"language,omitempty"`
	Enrolled time.Time `json:"enrolled"`
}

// PersonWaiting is a place on a course's waiting list, or a seat offered.
type PersonWaiting struct {
	Course string    `json:"course"`
	Since  time.Time `json:"since,omitzero"`
	Until  time.Time `json:"until,omitzero"`
}

// personFile gathers what is kept about chatID from the session, the cases
// and the courses. withNotes adds the counsellors' internal notes.
func (r rights) personFile(ctx context.Context, chatID int64, withNotes bool) (PersonFile, error) {
	f := PersonFile{Exported: time.Now().UTC().Truncate(time.Second), Consent: "not answered", Announcements: "on",
		Cases: []PersonCase{}, Courses: []PersonCourse{}, WaitingLists: []PersonWaiting{}}
	sess, err := r.store.LoadSession(ctx, fmt.Sprint(chatID), chatID)
	if err != nil {
		return f, err
	}
	st := flows.DecodeState(sess.State)
	f.Language, f.HelpPoint = sess.Lang, st.Site
	switch st.Consent {
	case "yes":
		f.Consent = "agreed"
	case "no":
		f.Consent = "not agreed"
	}
	if st.News == "off" {
		f.Announcements = "off"
	}
	for k, v := range st.Vars {
		if k != "topic" && k != "case" {
			if f.Answers == nil {
				f.Answers = map[string]string{}
			}
			f.Answers[k] = v
		}
	}
	data, err := r.cases.Export(ctx, chatID)
	if err != nil {
		return f, err
	}
	for _, c := range data.Cases {
		pc := PersonCase{ID: c.ID, Topic: c.Topic, Status: string(c.Status), Opened: c.Created, Closed: c.Closed,
			Name: c.PersonName, Answers: c.Answers, Outcome: c.Outcome, Feedback: string(c.Feedback), Messages: []PersonMessage{}}
		for _, m := range c.Messages {
			from := map[cases.Direction]string{cases.DirIn: "you", cases.DirOut: "counsellor", cases.DirSystem: "presidio", cases.DirNote: "internal note"}[m.Direction]
			if m.Direction == cases.DirNote && !withNotes {
				continue
			}
			pc.Messages = append(pc.Messages, PersonMessage{At: m.At, From: from, Text: m.Text, Media: m.MediaType})
		}
		f.Cases = append(f.Cases, pc)
	}
	mine, err := r.courses.MyCourses(ctx, chatID)
	if err != nil {
		return f, err
	}
	for _, e := range mine.Enrolments {
		f.Courses = append(f.Courses, PersonCourse{Course: e.Course, Name: e.Name, Phone: e.Phone, Language: e.Language, Enrolled: e.At})
	}
	for _, w := range mine.Waiting {
		f.WaitingLists = append(f.WaitingLists, PersonWaiting{Course: w.Course, Since: w.Since})
	}
	for _, o := range mine.Offers {
		f.SeatOffers = append(f.SeatOffers, PersonWaiting{Course: o.Course, Until: o.Expires})
	}
	return f, nil
}

// Export is /mydata: a summary in the person's language of everything kept
// about them, and the same as a JSON file (a document message). The
// counsellors' internal notes are not in it (the file's caption says how
// to get a complete copy).
func (r rights) Export(ctx context.Context, chatID int64, lang string) ([]chat.Outgoing, error) {
	f, err := r.personFile(ctx, chatID, false)
	if err != nil {
		return nil, err
	}
	tx := func(id string, data map[string]any) string { return r.texts.Text(lang, id, data) }
	lines := []string{tx("mydata.title", nil), ""}
	name := f.Language
	for _, l := range r.texts.Languages() {
		if l.Tag == f.Language {
			name = l.Name
		}
	}
	if name != "" {
		lines = append(lines, "🌐 "+tx("mydata.language", map[string]any{"Language": name}))
	}
	consent := map[string]string{"agreed": "privacy.choice_yes", "not agreed": "privacy.choice_no"}[f.Consent]
	if consent == "" {
		consent = "privacy.choice_none"
	}
	lines = append(lines, "🔒 "+tx(consent, nil))
	if f.Announcements == "off" {
		lines = append(lines, "🔕 "+tx("mydata.news_off", nil))
	} else {
		lines = append(lines, "🔔 "+tx("mydata.news_on", nil))
	}
	if f.HelpPoint != "" {
		lines = append(lines, "📍 "+tx("mydata.site", map[string]any{"Site": f.HelpPoint}))
	}
	if len(f.Answers) > 0 {
		var kv []string
		for k, v := range f.Answers {
			kv = append(kv, k+": "+v)
		}
		sort.Strings(kv)
		lines = append(lines, "📝 "+tx("mydata.answers", map[string]any{"Answers": strings.Join(kv, ", ")}))
	}
	for _, c := range f.Cases {
		topic := c.Topic
		if r.texts.Has(lang, "main.b."+c.Topic) {
			topic = tx("main.b."+c.Topic, nil)
		}
		lines = append(lines, "💬 "+tx("mydata.case", map[string]any{"ID": c.ID, "Topic": topic,
			"Date": r.texts.Isolate(lang, c.Opened.In(romeZone()).Format("02/01/2006")), "Messages": fmt.Sprint(len(c.Messages))}))
	}
	for _, e := range f.Courses {
		lines = append(lines, "🎓 "+tx("mydata.course", map[string]any{"Course": e.Course,
			"Name": r.texts.Isolate(lang, e.Name), "Phone": r.texts.Isolate(lang, e.Phone)}))
	}
	for _, w := range append(append([]PersonWaiting(nil), f.WaitingLists...), f.SeatOffers...) {
		lines = append(lines, "⏳ "+tx("mydata.waiting", map[string]any{"Course": w.Course}))
	}
	file, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return []chat.Outgoing{
		{ChatID: chatID, Text: strings.Join(lines, "\n")},
		{ChatID: chatID, Text: tx("mydata.file", nil), Document: &chat.Document{Name: "presidio-my-data.json", Data: file}},
	}, nil
}

// PersonExport is the coordinators' complete export of one person for a
// formal access request: everything /mydata gives, plus the counsellors'
// internal notes.
func (r rights) PersonExport(ctx context.Context, chatID int64) ([]byte, error) {
	f, err := r.personFile(ctx, chatID, true)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(f, "", "  ")
}

func romeZone() *time.Location {
	if l, err := time.LoadLocation("Europe/Rome"); err == nil {
		return l
	}
	return time.UTC
}
