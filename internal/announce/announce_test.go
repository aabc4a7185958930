package announce

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/locales"
)

func course(id, site string, seats int) courses.Course {
	return courses.Course{
		ID: id, Site: site, Level: courses.LevelA1, Title: "Italiano A1",
		Weekdays: []time.Weekday{time.Monday}, StartTime: "18:00", EndTime: "20:00",
		StartDate: "2026-09-01", EndDate: "2027-05-29", Seats: seats, Address: "Via Roma 1",
	}
}

// world: two sites; course a1 (frascati, 3 seats), a2 (frascati), b1
// (marino). People 1..12 with sessions in various states.
func world(t *testing.T) (*Service, *queue) {
	t.Helper()
	s, q := newService(t)
	ctx := context.Background()
	if _, err := s.Courses.Upsert(ctx, []courses.Course{
		course("a1", "frascati", 3), course("a2", "frascati", 5), course("b1", "marino", 5),
	}); err != nil {
		t.Fatal(err)
	}
	enrol := func(courseID string, chatID int64, lang string) {
		t.Helper()
		if _, err := s.Courses.Enrol(ctx, courseID, courses.Person{ChatID: chatID, Language: lang}, "k"); err != nil {
			t.Fatalf("enrol %d in %s: %v", chatID, courseID, err)
		}
	}
	enrol("a1", 1, "ar")
	enrol("a1", 2, "en")
	enrol("a1", 3, "uk") // blocked
	enrol("a2", 1, "ar") // in two courses of the site: once
	enrol("a2", 4, "fr") // news off
	enrol("a2", 5, "es") // consent withdrawn
	enrol("b1", 6, "ru")
	for _, id := range []int64{7, 8, 9} { // a1 is full: waiting list
		if _, err := s.Courses.JoinWaitingList(ctx, "a1", courses.Person{ChatID: id, Language: "bn"}); err != nil {
			t.Fatal(err)
		}
	}
	saveSessions(t, s.Store,
		sess{chatID: 1, lang: "ar", consent: "yes", site: "hp-roma"},
		sess{chatID: 2, lang: "", consent: "yes"}, // language from the enrolment
		sess{chatID: 3, lang: "uk", consent: "yes", blocked: true},
		sess{chatID: 4, lang: "fr", consent: "yes", news: "off"},
		sess{chatID: 5, lang: "es", consent: "no"},
		sess{chatID: 6, lang: "ru", consent: "yes", site: "hp-roma"},
		sess{chatID: 7, lang: "bn", consent: "yes"},
		sess{chatID: 8, lang: "it", consent: "yes"},
		sess{chatID: 10, lang: "ar", consent: "yes", site: "hp-latina"},
		sess{chatID: 11, lang: "ar", consent: "", site: "hp-latina"}, // never answered
		sess{chatID: 12, lang: "en", consent: "yes", site: "hp-roma"},
	)
	// 9 has no session: not reachable (never consented).
	return s, q
}

func chatIDs(rs []Recipient) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.ChatID)
	}
	return out
}

func TestAudience(t *testing.T) {
	s, _ := world(t)
	ctx := context.Background()
	cases := []struct {
		name string
		aud  Audience
		want []int64
	}{
		{"course", Audience{Kind: KindCourse, Course: "a1"}, []int64{1, 2}},
		{"site", Audience{Kind: KindSite, Site: "frascati"}, []int64{1, 2}},
		{"other site", Audience{Kind: KindSite, Site: "marino"}, []int64{6}},
		{"waiting of a course", Audience{Kind: KindWaiting, Course: "a1"}, []int64{7, 8}},
		{"waiting of a site", Audience{Kind: KindWaiting, Site: "frascati"}, []int64{7, 8}},
		{"news", Audience{Kind: KindNews}, []int64{1, 2, 6, 7, 8, 10, 12}},
		{"news by language", Audience{Kind: KindNews, Lang: "ar"}, []int64{1, 10}},
		{"news by help point", Audience{Kind: KindNews, HelpPoint: "hp-roma"}, []int64{1, 6, 12}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs, err := s.Audience(ctx, Announcement{Role: RoleCoordinator, Audience: c.aud})
			if err != nil {
				t.Fatal(err)
			}
			if got := chatIDs(rs); !slices.Equal(got, c.want) {
				t.Fatalf("audience %v, want %v", got, c.want)
			}
		})
	}
	rs, _ := s.Audience(ctx, Announcement{Audience: Audience{Kind: KindCourse, Course: "a1"}})
	if rs[1].Lang != "en" {
		t.Errorf("person 2 without a session language: %q, want the enrolment's en", rs[1].Lang)
	}
}

func TestTextFor(t *testing.T) {
	s := &Service{Texts: fakeTexts{}}
	a := Announcement{Text: map[string]string{"it": "Lezione annullata", "ar": "ترجمة"}}
	for lang, want := range map[string]string{
		"it": "Lezione annullata",
		"ar": "ترجمة",
		"uk": "uk|announce.from_school\n\nLezione annullata",
		"":   "Lezione annullata",
	} {
		if got := s.TextFor(a, lang); got != want {
			t.Errorf("%q: %q, want %q", lang, got, want)
		}
	}
	tpl := Announcement{Template: "room_changed", Params: map[string]string{"Course": "A1", "Date": "3/10", "Place": "aula 4"}}
	if got := s.TextFor(tpl, "fr"); got != "fr|announce.template.room_changed|A1|3/10|aula 4" {
		t.Errorf("template: %q", got)
	}
}

func TestValidate(t *testing.T) {
	s, _ := world(t)
	ctx := context.Background()
	it := map[string]string{"it": "Ciao"}
	for _, c := range []struct {
		name    string
		a       Announcement
		wantErr error // nil: valid; errAny: any error
	}{
		{"own course", Announcement{Role: RoleSchool, Site: "frascati", Audience: Audience{Kind: KindCourse, Course: "a1"}, Text: it}, nil},
		{"own site", Announcement{Role: RoleSchool, Site: "frascati", Audience: Audience{Kind: KindSite}, Text: it}, nil},
		{"another site's course", Announcement{Role: RoleSchool, Site: "frascati", Audience: Audience{Kind: KindCourse, Course: "b1"}, Text: it}, ErrForbidden},
		{"another site", Announcement{Role: RoleSchool, Site: "frascati", Audience: Audience{Kind: KindSite, Site: "marino"}, Text: it}, ErrForbidden},
		{"another site's waiting list", Announcement{Role: RoleSchool, Site: "frascati", Audience: Audience{Kind: KindWaiting, Course: "b1"}, Text: it}, ErrForbidden},
		{"school to everyone", Announcement{Role: RoleSchool, Site: "frascati", Audience: Audience{Kind: KindNews}, Text: it}, ErrForbidden},
		{"coordinator to everyone", Announcement{Role: RoleCoordinator, Audience: Audience{Kind: KindNews, Lang: "ar"}, Text: it}, nil},
		{"unknown role", Announcement{Role: "admin", Audience: Audience{Kind: KindNews}, Text: it}, ErrForbidden},
		{"no Italian", Announcement{Role: RoleCoordinator, Audience: Audience{Kind: KindNews}, Text: map[string]string{"en": "Hi"}}, errAny},
		{"template without Italian", Announcement{Role: RoleCoordinator, Audience: Audience{Kind: KindNews}, Template: "exam_date"}, nil},
		{"unknown template", Announcement{Role: RoleCoordinator, Audience: Audience{Kind: KindNews}, Template: "party"}, errAny},
		{"unknown course", Announcement{Role: RoleCoordinator, Audience: Audience{Kind: KindCourse, Course: "zz"}, Text: it}, store.ErrNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.a.ID = NewID()
			err := s.Validate(ctx, &c.a)
			switch {
			case c.wantErr == nil && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.wantErr == errAny && err == nil, c.wantErr != nil && c.wantErr != errAny && !errors.Is(err, c.wantErr):
				t.Fatalf("error %v, want %v", err, c.wantErr)
			}
		})
	}
	// Send refuses too, and queues nothing.
	if _, err := s.Send(ctx, Announcement{Role: RoleSchool, Site: "frascati", Audience: Audience{Kind: KindCourse, Course: "b1"}, Text: it}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("Send to another site: %v", err)
	}
}

var errAny = errors.New("any error")

func TestSendReportList(t *testing.T) {
	s, q := world(t)
	ctx := context.Background()
	a := Announcement{
		ID: NewID(), Author: "segreteria", Role: RoleSchool, Site: "frascati",
		Audience: Audience{Kind: KindSite},
		Text:     map[string]string{"it": "Domani niente lezione", "ar": "غدا لا يوجد درس"},
	}
	n, err := s.Send(ctx, a)
	if err != nil || n != 2 {
		t.Fatalf("Send = %d, %v; want 2", n, err)
	}
	if n, err := s.Send(ctx, a); err != nil || n != 2 {
		t.Fatalf("Send again = %d, %v", n, err)
	}
	if len(q.entries) != 2 {
		t.Fatalf("queued %d entries over two sends, want 2", len(q.entries))
	}
	byChat := map[int64]store.OutboxEntry{}
	for _, e := range q.entries {
		byChat[e.Msg.ChatID] = e
		if e.Msg.Priority != chat.PriorityBulk || e.ID != EntryID(a.ID, e.Msg.ChatID) {
			t.Errorf("entry %+v", e)
		}
		if len(e.Msg.Buttons) != 1 || e.Msg.Buttons[0][0].Data != NewsOffData {
			t.Errorf("no news-off button: %+v", e.Msg.Buttons)
		}
	}
	if got := byChat[1].Msg.Text; got != "غدا لا يوجد درس" {
		t.Errorf("ar text %q", got)
	}
	if got := byChat[2].Msg.Text; got != "en|announce.from_school\n\nDomani niente lezione" {
		t.Errorf("en text %q", got)
	}

	rep, err := s.Report(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 2 || rep.Pending != 2 || rep.Skipped != 3 {
		t.Fatalf("report before sending %+v", rep)
	}
	now := time.Now().UTC()
	if err := s.Store.FinishOutbox(ctx, []store.OutboxResult{
		{ID: EntryID(a.ID, 1), Status: store.OutboxSent, At: now},
		{ID: EntryID(a.ID, 2), Status: store.OutboxFailed, Error: "Bad Request: chat not found", At: now},
	}); err != nil {
		t.Fatal(err)
	}
	rep, err = s.Report(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 1 || rep.Failed != 1 || rep.Pending != 0 || rep.Errors["Bad Request: chat not found"] != 1 {
		t.Fatalf("report %+v", rep)
	}

	other := Announcement{ID: NewID(), Author: "marino", Role: RoleSchool, Site: "marino", Audience: Audience{Kind: KindSite}, Text: map[string]string{"it": "x"}}
	if _, err := s.Send(ctx, other); err != nil {
		t.Fatal(err)
	}
	mine, err := s.List(ctx, RoleSchool, "frascati")
	if err != nil || len(mine) != 1 || mine[0].ID != a.ID {
		t.Fatalf("school list %v, %v", mine, err)
	}
	all, err := s.List(ctx, RoleCoordinator, "")
	if err != nil || len(all) != 2 {
		t.Fatalf("coordinator list %d, %v", len(all), err)
	}
	if CanSee(other, RoleSchool, "frascati") || !CanSee(other, RoleCoordinator, "") || !CanSee(a, RoleSchool, "frascati") {
		t.Error("CanSee")
	}
}

// A coordinator can target people by their topic of interest: the last
// orientation topic they read.
func TestNewsAudienceByTopicOfInterest(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	saveSessions(t, st,
		sess{chatID: 1, lang: "it", consent: "yes", topic: "work"},
		sess{chatID: 2, lang: "en", consent: "yes", topic: "health"},
		sess{chatID: 3, lang: "ar", consent: "yes", topic: "work", news: "off"},
	)
	svc := &Service{Store: st, Texts: fakeTexts{}}
	rs, err := svc.Audience(ctx, Announcement{Role: RoleCoordinator, Audience: Audience{Kind: KindNews, Topic: "work"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].ChatID != 1 {
		t.Fatalf("audience by topic: %+v", rs)
	}
}

// A template's date written as a date reaches each person in their
// language; free text (such as "3/10") is passed as written.
func TestTemplateDateInRecipientsLanguage(t *testing.T) {
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Texts: texts}
	for _, tc := range []struct{ date, lang, want string }{
		{"2026-03-10", "it", "10 marzo 2026"},
		{"10/03/2026", "en", "March 10, 2026"},
		{"2026-03-10", "ar", "١٠ مارس ٢٠٢٦"},
		{"2026-03-10 15:00", "uk", "10 березня 2026 р., 15:00"},
		{"3/10", "fr", "3/10"},
	} {
		a := Announcement{Template: "exam_date", Params: map[string]string{"Course": "A1", "Date": tc.date, "Place": "aula 4"}}
		if got := s.TextFor(a, tc.lang); !strings.Contains(got, tc.want) {
			t.Errorf("%s in %s: %q, want it to contain %q", tc.date, tc.lang, got, tc.want)
		}
	}
}
