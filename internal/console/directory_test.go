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
	"time"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

const csvHeader = "id,name,category,provider_type,municipality,address,latitude,longitude,phone,website,hours,languages,who_can_use,sample,retired,description_it\n"

func (e *env) upload(c *http.Client, tok, name, content string) (int, string) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", tok)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	resp, err := c.Post(e.srv.URL+"/console/directory/import", mw.FormDataContentType(), &buf)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDirectoryImportEditRetire(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.login("op")
	tok := e.csrf(c, "/console/directory")
	bad := csvHeader +
		"asl-frascati,ASL Frascati,health,public,Frascati,Via A 1,41.8,12.6,,,Mo-Fr 08:00-13:00,it,,false,false,Sportello STP\n" +
		"broken,Rotto,no-such-category,public,Frascati,,,,,,,it,,false,false,x\n"
	code, body := e.upload(c, tok, "servizi.csv", bad)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "servizi.csv:3:") {
		t.Fatalf("bad file: %d %.1000s", code, body)
	}
	if _, err := e.dir.Get(ctx, "asl-frascati"); err == nil {
		t.Fatal("a refused file imported its good rows")
	}
	good := csvHeader + "asl-frascati,ASL Frascati,health,public,Frascati,Via A 1,41.8,12.6,,,Mo-Fr 08:00-13:00,it,,false,false,Sportello STP\n"
	if code, body := e.upload(c, tok, "servizi.csv", good); code != http.StatusOK {
		t.Fatalf("good file: %d %.600s", code, body)
	}
	code, body = e.get(c, "/console/directory?q=stp")
	if code != http.StatusOK || !strings.Contains(body, "ASL Frascati") {
		t.Fatalf("search: %d", code)
	}
	// Edit: an invalid website is refused with the directory's message.
	form := url.Values{"csrf": {tok}, "id": {"asl-frascati"}, "name": {"ASL Roma 6 Frascati"}, "category": {"health"}, "provider_type": {"public"},
		"municipality": {"Frascati"}, "lat": {"41.8"}, "lon": {"12.6"}, "description_it": {"Sportello STP"}, "website": {"ftp://x"}}
	if code, _ := e.post(c, "/console/directory/save", form); code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid edit: %d", code)
	}
	form.Set("website", "https://www.aslroma6.it")
	if code, body := e.post(c, "/console/directory/save", form); code != http.StatusSeeOther {
		t.Fatalf("edit: %d %.600s", code, body)
	}
	s, err := e.dir.Get(ctx, "asl-frascati")
	if err != nil || s.Name != "ASL Roma 6 Frascati" || s.Website != "https://www.aslroma6.it" {
		t.Fatalf("after edit: %+v %v", s, err)
	}
	if code, _ := e.post(c, "/console/directory/retire", url.Values{"csrf": {tok}, "id": {"asl-frascati"}}); code != http.StatusSeeOther {
		t.Fatalf("retire: %d", code)
	}
	if s, _ := e.dir.Get(ctx, "asl-frascati"); !s.Retired {
		t.Fatal("not retired")
	}
	code, body = e.get(c, "/console/directory/export.csv")
	if code != http.StatusOK || !strings.Contains(body, "asl-frascati") {
		t.Fatalf("export: %d", code)
	}
	// A partner reads the directory but cannot change it.
	p := e.login("caritas")
	if code, _ := e.get(p, "/console/directory"); code != http.StatusOK {
		t.Fatalf("partner reads the directory: %d", code)
	}
	ptok := e.csrf(p, "/console/directory")
	if code, _ := e.post(p, "/console/directory/retire", url.Values{"csrf": {ptok}, "id": {"asl-frascati"}}); code != http.StatusForbidden {
		t.Errorf("partner retires: %d", code)
	}
	if code, _ := e.get(p, "/console/cases"); code != http.StatusForbidden {
		t.Errorf("partner reads cases: %d", code)
	}
	// ...and sends a referral note that operators read.
	if code, _ := e.post(p, "/console/notes", url.Values{"csrf": {ptok}, "help_point": {"prils-frascati"}, "text": {"Vi mando la signora Rahman per il corso A2"}}); code != http.StatusSeeOther {
		t.Fatalf("partner note: %d", code)
	}
	_, body = e.get(c, "/console/notes")
	if !strings.Contains(body, "signora Rahman") {
		t.Error("operator does not see the partner's note")
	}
}

func TestUserCLI(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	run := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := RunUserCLI(ctx, st, args, strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, _, _ := run(""); code != 2 {
		t.Errorf("no args: %d", code)
	}
	if code, _, _ := run("", "frobnicate"); code != 2 {
		t.Errorf("unknown command: %d", code)
	}
	if code, _, stderr := run(pw+"\n", "add", "-name", "anna", "-role", "boss"); code != 2 || !strings.Contains(stderr, "unknown role") {
		t.Errorf("bad role: %d %s", code, stderr)
	}
	if code, _, stderr := run(pw+"\n", "add", "-name", "cpia", "-role", "school"); code != 2 || !strings.Contains(stderr, "-site") {
		t.Errorf("school without site: %d %s", code, stderr)
	}
	if code, _, stderr := run("short\n", "add", "-name", "anna", "-role", "operator"); code != 1 || !strings.Contains(stderr, "at least") {
		t.Errorf("short password: %d %s", code, stderr)
	}
	if code, _, stderr := run(pw+"\n", "add", "-name", "anna", "-role", "operator"); code != 0 {
		t.Fatalf("add: %d %s", code, stderr)
	}
	if code, _, stderr := run(pw+"\n", "add", "-name", "anna", "-role", "operator"); code != 1 || !strings.Contains(stderr, "exists") {
		t.Errorf("duplicate: %d %s", code, stderr)
	}
	if code, _, stderr := run(pw+"\n", "add", "-name", "cpia-frascati", "-role", "school", "-site", "cpia-frascati"); code != 2 || !strings.Contains(stderr, "courses import") {
		t.Errorf("school of a site before any course exists: %d %s", code, stderr)
	}
	cs, err := courses.New(ctx, st, courses.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Upsert(ctx, []courses.Course{{ID: "fra-a1", Site: "cpia-frascati", Level: courses.LevelA1, Title: "Italiano A1",
		Weekdays: []time.Weekday{time.Monday}, StartTime: "09:00", EndTime: "11:00", StartDate: "2030-01-07", EndDate: "2030-06-30", Seats: 10, Address: "Via Roma 1"}}); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(pw+"\n", "add", "-name", "cpia-x", "-role", "school", "-site", "cpia-frascat"); code != 2 || !strings.Contains(stderr, "the sites are: cpia-frascati") {
		t.Errorf("school of an unknown site: %d %s", code, stderr)
	}
	if code, _, _ := run(pw+"\n", "add", "-name", "cpia-frascati", "-role", "school", "-site", "cpia-frascati"); code != 0 {
		t.Errorf("school: %d", code)
	}
	code, out, _ := run("", "list")
	if code != 0 || !strings.Contains(out, "anna\toperator\t-\tactive") || !strings.Contains(out, "cpia-frascati\tschool\tcpia-frascati") || strings.Contains(out, "$2") {
		t.Errorf("list: %d %q", code, out)
	}
	u := NewUsers(st)
	usr, err := u.Authenticate(ctx, "anna", pw)
	if err != nil || usr.Role != RoleOperator || !strings.HasPrefix(usr.PasswordHash, "$2") {
		t.Fatalf("authenticate: %+v %v", usr, err)
	}
	if code, _, _ := run("", "disable", "anna"); code != 0 {
		t.Errorf("disable: %d", code)
	}
	if _, err := u.Authenticate(ctx, "anna", pw); err != ErrBadCredentials {
		t.Errorf("disabled account logs in: %v", err)
	}
	if code, _, stderr := run("", "disable", "nobody"); code != 1 || !strings.Contains(stderr, "no account") {
		t.Errorf("disable unknown: %d %s", code, stderr)
	}
	if _, err := u.Get(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("get unknown: %v", err)
	}
}

func TestDisabledAccountLosesSession(t *testing.T) {
	e := newEnv(t)
	c := e.login("op")
	if code, _ := e.get(c, "/console/cases"); code != http.StatusOK {
		t.Fatal(code)
	}
	if err := e.users.Disable(context.Background(), "op"); err != nil {
		t.Fatal(err)
	}
	if code, _ := e.get(c, "/console/cases"); code != http.StatusSeeOther {
		t.Fatalf("disabled account's session: %d, want a redirect to the login", code)
	}
}

func TestTextIDsAllDefined(t *testing.T) {
	for _, id := range TextIDs() {
		if !strings.HasPrefix(id, "console.") {
			t.Errorf("id %q lacks the console. prefix", id)
		}
		for _, l := range []string{"it", "en"} {
			if s := DefaultTexts().Text(l, id, map[string]any{}); s == "" || strings.HasPrefix(s, "[") {
				t.Errorf("%s %s: %q", l, id, s)
			}
		}
	}
}
