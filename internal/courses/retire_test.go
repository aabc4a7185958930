package courses

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A retired course takes nobody new, offers nothing, reminds nobody, keeps
// its people for the register, and lists each of them once to be told
// until they are marked told; an import does not bring it back.
func TestRetireCourse(t *testing.T) {
	c, _ := newCourses(t, Config{})
	ctx := context.Background()
	fullCourse(t, c, "a1", 2)
	for _, chat := range []int64{10, 11} {
		if _, err := c.JoinWaitingList(ctx, "a1", person(chat)); err != nil {
			t.Fatal(err)
		}
	}
	if due, err := c.DueRetirements(ctx); err != nil || len(due) != 0 {
		t.Fatalf("before retiring: %+v, %v", due, err)
	}
	if err := c.Retire(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if err := c.Retire(ctx, "a1"); err != nil {
		t.Fatalf("retiring again: %v", err)
	}
	if _, err := c.Enrol(ctx, "a1", person(20), "k"); !errors.Is(err, ErrRetired) {
		t.Errorf("enrol in a retired course: %v", err)
	}
	if _, err := c.JoinWaitingList(ctx, "a1", person(21)); !errors.Is(err, ErrRetired) {
		t.Errorf("join the list of a retired course: %v", err)
	}
	// A seat freed in a retired course is not offered to the list.
	if offers, err := c.Cancel(ctx, "a1", 1); err != nil || len(offers) != 0 {
		t.Errorf("cancel in a retired course: offers %+v, %v", offers, err)
	}
	if offers, err := c.Sweep(ctx, time.Now()); err != nil || len(offers) != 0 {
		t.Errorf("sweep of a retired course: offers %+v, %v", offers, err)
	}
	if r, err := c.DueReminders(ctx, time.Date(2025, 10, 5, 12, 0, 0, 0, Location)); err != nil || len(r) != 0 {
		t.Errorf("reminders of a retired course: %+v, %v", r, err)
	}
	due, err := c.DueRetirements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]bool{}
	for _, r := range due {
		if got[r.ChatID] || r.Course.ID != "a1" || r.Language != "ar" || r.ID != retiredID("a1", r.ChatID) {
			t.Errorf("notice %+v", r)
		}
		got[r.ChatID] = r.Waiting
	}
	if len(got) != 3 || got[2] || !got[10] || !got[11] {
		t.Fatalf("to tell: %v, want 2 (enrolled), 10 and 11 (waiting)", got)
	}
	if err := c.MarkRetirementsTold(ctx, due[:1]); err != nil {
		t.Fatal(err)
	}
	if again, _ := c.DueRetirements(ctx); len(again) != 2 {
		t.Fatalf("after telling one: %+v", again)
	}
	if err := c.MarkRetirementsTold(ctx, due); err != nil {
		t.Fatalf("marking twice: %v", err)
	}
	if again, _ := c.DueRetirements(ctx); len(again) != 0 {
		t.Fatalf("after telling all: %+v", again)
	}
	// The register keeps them; an import of the same course leaves it retired.
	if n, _ := c.Enrolled(ctx, "a1"); n != 1 {
		t.Errorf("enrolled after retiring: %d, want 1", n)
	}
	co := testCourse("a1", 3, "2025-10-06")
	if _, err := c.Upsert(ctx, []Course{co}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Get(ctx, "a1"); !got.Retired || got.Seats != 3 {
		t.Errorf("after an import: %+v", got)
	}
	if m, _ := c.MyCourses(ctx, 2); len(m.Enrolments) != 0 {
		t.Errorf("a retired course in /mycourses: %+v", m)
	}
}

// A pending offer of a course retired meanwhile cannot be accepted.
func TestRetiredOfferNotAccepted(t *testing.T) {
	c, _ := newCourses(t, Config{})
	ctx := context.Background()
	fullCourse(t, c, "a1", 1)
	if _, err := c.JoinWaitingList(ctx, "a1", person(10)); err != nil {
		t.Fatal(err)
	}
	if offers, err := c.Cancel(ctx, "a1", 1); err != nil || len(offers) != 1 {
		t.Fatalf("cancel: %+v %v", offers, err)
	}
	if err := c.Retire(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AcceptOffer(ctx, "a1", 10, "k"); !errors.Is(err, ErrRetired) {
		t.Fatalf("accepting an offer of a retired course: %v", err)
	}
}

// The form reads what the importer reads, with the same checks, and names
// the field of each problem.
func TestParseForm(t *testing.T) {
	fields := map[string]string{
		"id": "velletri-a1", "site": "Velletri", "level": "a1", "title": "Italiano A1", "weekdays": "lun, mer",
		"start_time": "18.00", "end_time": "20.00", "start_date": "06/10/2025", "end_date": "29/05/2026",
		"seats": "20", "address": "Via Roma 1", "latitude": "", "longitude": "", "notes": "",
		"title_en": "Italian A1", "notes_ar": "أحضر وثيقة", "title_fr": "",
	}
	co, ps := ParseForm(fields)
	if len(ps) > 0 {
		t.Fatalf("problems: %+v", ps)
	}
	if co.Site != "velletri" || co.StartDate != "2025-10-06" || co.StartTime != "18:00" || len(co.Weekdays) != 2 ||
		co.TitleTranslations["en"] != "Italian A1" || co.NotesTranslations["ar"] == "" || len(co.TitleTranslations) != 1 {
		t.Fatalf("read %+v", co)
	}
	fields["weekdays"], fields["seats"], fields["title_en"] = "lunedi, xyz", "tanti", string(make([]rune, MaxTitleLen+1))
	fields["id"] = "Velletri A1"
	_, ps = ParseForm(fields)
	want := map[string]bool{"weekdays": true, "seats": true, "title_en": true, "id": true}
	for _, p := range ps {
		if !want[p.Field] {
			t.Errorf("unexpected problem %+v", p)
		}
		delete(want, p.Field)
	}
	if len(want) > 0 {
		t.Errorf("not reported: %v (got %+v)", want, ps)
	}
	delete(fields, "address")
	if _, ps := ParseForm(fields); len(ps) == 0 {
		t.Error("a missing required field passed")
	}
}
