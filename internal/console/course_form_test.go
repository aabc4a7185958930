package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
)

// courseForm is a filled-in course form as a school secretary writes it.
func courseFormValues(tok, id string) url.Values {
	return url.Values{"csrf": {tok}, "new": {"1"}, "id": {id}, "site": {"Velletri"}, "level": {"a1"}, "title": {"Italiano A1 sera"},
		"weekdays": {"lun, mer"}, "start_time": {"18.00"}, "end_time": {"20.00"}, "start_date": {"06/10/2025"}, "end_date": {"29/05/2026"},
		"seats": {"2"}, "address": {"Via Roma 1, Velletri"}, "notes": {"Portare un documento"},
		"title_en": {"Italian A1 evening"}, "notes_ar": {"أحضر وثيقة"}}
}

func (e *env) uploadTo(c *http.Client, path, tok, name string, content []byte) (int, string) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", tok)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	resp, err := c.Post(e.srv.URL+path, mw.FormDataContentType(), &buf)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) auditActions() map[string]int {
	e.t.Helper()
	entries, _, err := e.audit.Page(context.Background(), AuditCursor{}, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]int{}
	for _, a := range entries {
		out[a.Action+" "+a.Course]++
	}
	return out
}

// A coordinator creates a course with the forms schools write, sees every
// problem of a bad form in Italian next to the form with what was typed
// kept, edits the course without losing its people (seats below them are
// refused), and retires it; every change is in the audit log.
func TestCourseFormCreateEditRetire(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.login("coord")
	_, list := e.get(c, "/console/courses")
	if !strings.Contains(list, `href="/console/courses/edit"`) || !strings.Contains(list, `accept=".csv,.xlsx`) {
		t.Fatalf("the course list has no new-course link or no XLSX upload: %.2000s", list)
	}
	tok := e.csrf(c, "/console/courses/edit")

	bad := courseFormValues(tok, "velletri-a1")
	bad.Set("weekdays", "lunedi, xyz")
	bad.Set("seats", "tanti")
	bad.Set("title_en", strings.Repeat("x", courses.MaxTitleLen+1))
	code, body := e.post(c, "/console/courses/save", bad)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %d %.1500s", code, body)
	}
	for _, want := range []string{"Giorni non riconosciuti", "Posti non validi", "Titolo in inglese non valido", `value="tanti"`, `value="lunedi, xyz"`, "Italiano A1 sera"} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	if _, err := e.courses.Get(ctx, "velletri-a1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused form stored the course: %v", err)
	}

	if code, body := e.post(c, "/console/courses/save", courseFormValues(tok, "velletri-a1")); code != http.StatusSeeOther {
		t.Fatalf("good form: %d %.1500s", code, body)
	}
	co, err := e.courses.Get(ctx, "velletri-a1")
	if err != nil || co.Site != "velletri" || co.StartDate != "2025-10-06" || co.StartTime != "18:00" || len(co.Weekdays) != 2 ||
		co.TitleTranslations["en"] != "Italian A1 evening" || co.NotesTranslations["ar"] != "أحضر وثيقة" {
		t.Fatalf("stored %+v %v", co, err)
	}
	if code, body := e.post(c, "/console/courses/save", courseFormValues(tok, "velletri-a1")); code != http.StatusUnprocessableEntity || !strings.Contains(body, "Esiste già un corso") {
		t.Fatalf("the same ID again: %d", code)
	}

	// Two people enrolled and one waiting: an edit keeps them all.
	for i, chat := range []int64{501, 502} {
		e.courses.chats = append(e.courses.chats, chat)
		if _, err := e.courses.Enrol(ctx, "velletri-a1", courses.Person{ChatID: chat, Name: "P" + string(rune('a'+i)), Language: "en"}, "k"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.courses.JoinWaitingList(ctx, "velletri-a1", courses.Person{ChatID: 503, Language: "ar"}); err != nil {
		t.Fatal(err)
	}
	_, form := e.get(c, "/console/courses/edit?id=velletri-a1")
	if !strings.Contains(form, `value="Italian A1 evening"`) || !strings.Contains(form, "18:00") {
		t.Fatalf("the edit form does not show the course: %.2000s", form)
	}
	edit := courseFormValues(tok, "velletri-a1")
	edit.Del("new")
	edit.Set("seats", "1")
	code, body = e.post(c, "/console/courses/save", edit)
	if code != http.StatusConflict || !strings.Contains(body, "sono già occupati 2 posti") {
		t.Fatalf("seats below the enrolled: %d %.1500s", code, body)
	}
	edit.Set("seats", "3")
	edit.Set("title", "Italiano A1 serale")
	edit.Set("title_en", "")
	if code, body := e.post(c, "/console/courses/save", edit); code != http.StatusSeeOther {
		t.Fatalf("edit: %d %.1500s", code, body)
	}
	co, _ = e.courses.Get(ctx, "velletri-a1")
	n, _ := e.courses.Counts(ctx, "velletri-a1")
	if co.Title != "Italiano A1 serale" || co.TitleTranslations["en"] != "" || co.Seats != 3 || n.Enrolled != 2 || n.Waiting != 1 {
		t.Fatalf("after the edit: %+v %+v", co, n)
	}

	_, page := e.get(c, "/console/courses/velletri-a1")
	if !strings.Contains(page, "/courses/velletri-a1/retire") {
		t.Fatalf("no retire button: %.2000s", page)
	}
	if code, _ := e.post(c, "/console/courses/velletri-a1/retire", url.Values{"csrf": {tok}}); code != http.StatusBadRequest {
		t.Fatalf("retire without confirming: %d", code)
	}
	if code, _ := e.post(c, "/console/courses/velletri-a1/retire", url.Values{"csrf": {tok}, "confirm": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("retire: %d", code)
	}
	if co, _ := e.courses.Get(ctx, "velletri-a1"); !co.Retired {
		t.Fatal("not retired")
	}
	if _, page := e.get(c, "/console/courses/velletri-a1?done=course_retired"); !strings.Contains(page, "Corso annullato") || strings.Contains(page, "/retire") {
		t.Errorf("the retired course's page: %.1500s", page)
	}
	if due, _ := e.courses.DueRetirements(ctx); len(due) != 3 {
		t.Errorf("%d people to tell, want 3", len(due))
	}
	acts := e.auditActions()
	for _, a := range []string{"course.create velletri-a1", "course.edit velletri-a1", "course.retire velletri-a1"} {
		if acts[a] != 1 {
			t.Errorf("audit %q: %d entries, want 1 (%v)", a, acts[a], acts)
		}
	}
	if code, _ := e.get(e.login("op"), "/console/courses/edit"); code != http.StatusForbidden {
		t.Errorf("an operator opens the course form: %d", code)
	}
}

// A school creates courses only at its own site and cannot touch another
// site's course, by the form or by a file; its XLSX file imports.
func TestSchoolCourseFormOwnSite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	addCourses(t, e)
	s := e.login("frascati")
	_, form := e.get(s, "/console/courses/edit")
	if !strings.Contains(form, `name="site" value="cpia-frascati" readonly`) {
		t.Fatalf("the school's site is not fixed: %.2000s", form)
	}
	tok := e.csrf(s, "/console/courses/edit")
	v := courseFormValues(tok, "frascati-a2")
	v.Set("site", "cpia-velletri")
	if code, body := e.post(s, "/console/courses/save", v); code != http.StatusSeeOther {
		t.Fatalf("school's form: %d %.1500s", code, body)
	}
	if co, err := e.courses.Get(ctx, "frascati-a2"); err != nil || co.Site != "cpia-frascati" {
		t.Fatalf("the school's course: %+v %v", co, err)
	}
	other := courseFormValues(tok, "vel-a1")
	other.Del("new")
	if code, _ := e.post(s, "/console/courses/save", other); code != http.StatusNotFound {
		t.Errorf("school edits another site's course: %d", code)
	}
	if code, _ := e.get(s, "/console/courses/edit?id=vel-a1"); code != http.StatusNotFound {
		t.Errorf("school opens another site's course form: %d", code)
	}
	if code, _ := e.post(s, "/console/courses/vel-a1/retire", url.Values{"csrf": {tok}, "confirm": {"1"}}); code != http.StatusNotFound {
		t.Errorf("school retires another site's course: %d", code)
	}
	if co, _ := e.courses.Get(ctx, "vel-a1"); co.Retired {
		t.Fatal("another site's course was retired")
	}

	xlsx := func(site string) []byte {
		f := excelize.NewFile()
		defer f.Close()
		rows := [][]any{
			{"id", "site", "level", "title", "weekdays", "start_time", "end_time", "start_date", "end_date", "seats", "address"},
			{"frascati-b1", site, "B1", "Italiano B1", "mar, gio", "9.30", "11.30", "12/01/2026", "29/05/2026", 15, "Via Verdi 2, Frascati"},
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			_ = f.SetSheetRow("Sheet1", cell, &r)
		}
		var b bytes.Buffer
		_ = f.Write(&b)
		return b.Bytes()
	}
	if code, body := e.uploadTo(s, "/console/courses/import", tok, "corsi.xlsx", xlsx("Velletri")); code != http.StatusForbidden || !strings.Contains(body, "frascati-b1") {
		t.Fatalf("school imports another site's course: %d %.1000s", code, body)
	}
	if code, body := e.uploadTo(s, "/console/courses/import", tok, "corsi.xlsx", xlsx("cpia-frascati")); code != http.StatusOK {
		t.Fatalf("school imports its XLSX: %d %.1000s", code, body)
	}
	if co, err := e.courses.Get(ctx, "frascati-b1"); err != nil || co.StartTime != "09:30" {
		t.Fatalf("imported %+v %v", co, err)
	}
	if code, body := e.uploadTo(s, "/console/courses/import", tok, "corsi.csv", []byte("id;site\nx;y\n")); code != http.StatusUnprocessableEntity || !strings.Contains(body, "corsi.csv:1:") {
		t.Fatalf("a bad file: %d %.1000s", code, body)
	}
	if e.auditActions()["course.import "] != 1 {
		t.Errorf("audit: %v", e.auditActions())
	}
}

// Forms with nothing in them, or for a course that does not exist, get a
// proper status and a page in the console's language, never a crash.
func TestCourseFormOddRequests(t *testing.T) {
	e := newEnv(t)
	c := e.login("coord")
	tok := e.csrf(c, "/console/courses/edit")
	for _, tc := range []struct {
		path string
		form url.Values
		want int
	}{
		{"/console/courses/save", url.Values{"csrf": {tok}, "new": {"1"}}, http.StatusUnprocessableEntity},
		{"/console/courses/save", url.Values{"csrf": {tok}, "id": {"no-such-course"}}, http.StatusNotFound},
		{"/console/courses/save", url.Values{"csrf": {tok}, "new": {"1"}, "id": {strings.Repeat("é", 3000)}}, http.StatusUnprocessableEntity},
		{"/console/courses/no-such-course/retire", url.Values{"csrf": {tok}, "confirm": {"1"}}, http.StatusNotFound},
		{"/console/courses/save", url.Values{"new": {"1"}}, http.StatusForbidden},
	} {
		code, body := e.post(c, tc.path, tc.form)
		if code != tc.want || strings.Contains(body, "[console.") || !strings.Contains(body, `<html lang="it">`) {
			t.Errorf("POST %s %v: %d, want %d: %.600s", tc.path, tc.form, code, tc.want, body)
		}
	}
	if code, _ := e.get(c, "/console/courses/edit?id=no-such-course"); code != http.StatusNotFound {
		t.Errorf("the form of an unknown course: %d", code)
	}
	_, body := e.post(c, "/console/courses/save", url.Values{"csrf": {tok}, "new": {"1"}})
	for _, want := range []string{"ID non valido", "Titolo mancante", "Posti non validi", "Giorni non riconosciuti"} {
		if !strings.Contains(body, want) {
			t.Errorf("the empty form does not say %q", want)
		}
	}
}
