package console

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

const pw = "correct horse battery"

// testCourses gives the real course store the Enrolments method the
// console needs, through MyCourses of the people the test enrolled.
type testCourses struct {
	*courses.Courses
	chats []int64
}

func (c *testCourses) Enrolments(ctx context.Context, courseID string) ([]courses.Enrolment, error) {
	var out []courses.Enrolment
	for _, id := range c.chats {
		m, err := c.MyCourses(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, e := range m.Enrolments {
			if e.Course == courseID {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

type reply struct {
	Case string
	Op   cases.Operator
	Text string
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type env struct {
	t       *testing.T
	srv     *httptest.Server
	cases   *cases.Cases
	dir     *directory.Directory
	courses *testCourses
	audit   *StoreAudit
	users   *Users
	clock   *clock
	mu      sync.Mutex
	replies []reply
	caseID  string
	st      *store.Store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	cs, err := cases.New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	crs, err := courses.New(ctx, st, courses.Config{})
	if err != nil {
		t.Fatal(err)
	}
	users := NewUsers(st)
	users.Cost = bcrypt.MinCost
	for _, u := range []struct {
		name string
		role Role
		site string
	}{{"coord", RoleCoordinator, ""}, {"op", RoleOperator, ""}, {"frascati", RoleSchool, "cpia-frascati"}, {"caritas", RolePartner, ""}} {
		if _, err := users.Add(ctx, u.name, u.role, u.site, pw); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{t: t, cases: cs, dir: directory.New(st), courses: &testCourses{Courses: crs}, audit: NewStoreAudit(st), users: users,
		clock: &clock{t: time.Now()}}
	k, _, err := cs.Open(ctx, cases.OpenRequest{ChatID: 4242, PersonName: "Amina K", Lang: "ar", Topic: "permits", HelpPoint: "pa-frascati", Summary: "rinnovo permesso"})
	if err != nil {
		t.Fatal(err)
	}
	e.caseID = k.ID
	for i, m := range []cases.Message{
		{ID: "u1", Case: k.ID, Direction: cases.DirIn, Text: "Il mio permesso scade"},
		{ID: "u2", Case: k.ID, Direction: cases.DirIn, MediaType: "photo", FileID: "AgACAgQ-file-77"},
	} {
		m.At = time.Now().Add(time.Duration(i) * time.Second)
		if _, err := cs.AddMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	c := New(Config{
		Accounts: users, Audit: e.audit, Cases: cs, Directory: e.dir, Courses: e.courses, Notes: NewStoreNotes(st),
		Replier: ReplierFunc(func(_ context.Context, caseID string, op cases.Operator, text string) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.replies = append(e.replies, reply{caseID, op, text})
			return nil
		}),
		Now:   e.clock.now,
		Store: st,
	})
	e.st = st
	mux := http.NewServeMux()
	mux.Handle("/console/", c)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (e *env) get(c *http.Client, path string) (int, string) {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), "[console.") {
		e.t.Errorf("GET %s shows a missing text: %.300s", path, b[strings.Index(string(b), "[console."):])
	}
	return resp.StatusCode, string(b)
}

func (e *env) post(c *http.Client, path string, form url.Values) (int, string) {
	e.t.Helper()
	resp, err := c.PostForm(e.srv.URL+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) csrf(c *http.Client, path string) string {
	e.t.Helper()
	code, body := e.get(c, path)
	m := csrfRE.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		e.t.Fatalf("GET %s: %d, no csrf token in %.300s", path, code, body)
	}
	return m[1]
}

func (e *env) tryLogin(c *http.Client, name, password string) int {
	e.t.Helper()
	tok := e.csrf(c, "/console/login")
	code, _ := e.post(c, "/console/login", url.Values{"csrf": {tok}, "name": {name}, "password": {password}})
	return code
}

func (e *env) login(name string) *http.Client {
	e.t.Helper()
	c := e.client()
	if code := e.tryLogin(c, name, pw); code != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d", name, code)
	}
	return c
}

func TestWrongPasswordRefused(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	if code := e.tryLogin(c, "op", "not the password"); code != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d, want 401", code)
	}
	if code := e.tryLogin(c, "nobody", pw); code != http.StatusUnauthorized {
		t.Fatalf("unknown account: %d, want 401", code)
	}
	if code, _ := e.get(c, "/console/cases"); code != http.StatusSeeOther {
		t.Fatalf("cases without login: %d, want a redirect to the login", code)
	}
	resp, err := c.Get(e.srv.URL + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := e.tryLogin(c, "op", pw); code != http.StatusSeeOther {
		t.Fatalf("right password: %d", code)
	}
	code, body := e.get(c, "/console/cases")
	if code != http.StatusOK || !strings.Contains(body, e.caseID) {
		t.Fatalf("inbox: %d %.500s", code, body)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	tok := e.csrf(c, "/console/login")
	req, _ := http.NewRequest("POST", e.srv.URL+"/console/login", strings.NewReader(url.Values{"csrf": {tok}, "name": {"op"}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var found bool
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie && ck.Value != "" {
			found = true
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
				t.Errorf("session cookie over plain HTTP: %+v", ck)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie")
	}
	// Over HTTPS (behind a trusted proxy) the cookie is Secure.
	cons := New(Config{TrustProxy: true})
	r := httptest.NewRequest("GET", "/console/login", nil)
	r.Header.Set("X-Forwarded-Proto", "https")
	if !cons.secure(r) {
		t.Error("X-Forwarded-Proto=https from a trusted proxy is not secure")
	}
	if New(Config{}).secure(r) {
		t.Error("X-Forwarded-Proto trusted without TrustProxy")
	}
}

func TestForgedPostRefused(t *testing.T) {
	e := newEnv(t)
	c := e.login("op")
	for _, form := range []url.Values{
		{"text": {"forged"}},
		{"text": {"forged"}, "csrf": {"0123456789abcdef"}},
	} {
		if code, _ := e.post(c, "/console/cases/"+e.caseID+"/reply", form); code != http.StatusForbidden {
			t.Errorf("forged reply %v: %d, want 403", form, code)
		}
		if code, _ := e.post(c, "/console/cases/"+e.caseID+"/close", form); code != http.StatusForbidden {
			t.Errorf("forged close: %d, want 403", code)
		}
	}
	// A login form without its token is refused too.
	if code, _ := e.post(e.client(), "/console/login", url.Values{"name": {"op"}, "password": {pw}}); code != http.StatusForbidden {
		t.Errorf("login without token: %d, want 403", code)
	}
	if len(e.replies) != 0 {
		t.Fatalf("the Replier was called: %+v", e.replies)
	}
	k, err := e.cases.Get(context.Background(), e.caseID)
	if err != nil || k.Status != cases.StatusNew {
		t.Fatalf("case changed by a forged POST: %+v %v", k, err)
	}
}

func TestOperatorReplyAndActions(t *testing.T) {
	e := newEnv(t)
	c := e.login("op")
	page := "/console/cases/" + e.caseID
	code, body := e.get(c, page)
	if code != http.StatusOK {
		t.Fatalf("case page: %d", code)
	}
	for _, want := range []string{"Amina K", "Il mio permesso scade", "AgACAgQ-file-77", "rinnovo permesso"} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	tok := csrfRE.FindStringSubmatch(body)[1]
	if code, _ := e.post(c, page+"/take", url.Values{"csrf": {tok}}); code != http.StatusSeeOther {
		t.Fatalf("take: %d", code)
	}
	if code, _ := e.post(c, page+"/reply", url.Values{"csrf": {tok}, "text": {"Buongiorno, venga giovedì alle 10."}}); code != http.StatusSeeOther {
		t.Fatalf("reply: %d", code)
	}
	if len(e.replies) != 1 || e.replies[0] != (reply{e.caseID, cases.Operator{ID: "console:op", Name: "op"}, "Buongiorno, venga giovedì alle 10."}) {
		t.Fatalf("replies: %+v", e.replies)
	}
	if code, _ := e.post(c, page+"/note", url.Values{"csrf": {tok}, "text": {"documenti da verificare"}}); code != http.StatusSeeOther {
		t.Fatalf("note: %d", code)
	}
	if code, _ := e.post(c, page+"/close", url.Values{"csrf": {tok}, "outcome": {"appuntamento fissato"}}); code != http.StatusSeeOther {
		t.Fatalf("close: %d", code)
	}
	k, err := e.cases.Get(context.Background(), e.caseID)
	if err != nil || k.Status != cases.StatusClosed || k.Assignee.ID != "console:op" || k.Outcome != "appuntamento fissato" {
		t.Fatalf("case after take and close: %+v %v", k, err)
	}
	_, body = e.get(c, page)
	if !strings.Contains(body, "documenti da verificare") {
		t.Error("the note is not on the case page")
	}
	// The inbox hides closed cases by default.
	_, body = e.get(c, "/console/cases")
	if strings.Contains(body, e.caseID) {
		t.Error("closed case in the default inbox")
	}
	_, body = e.get(c, "/console/cases?status=closed")
	if !strings.Contains(body, e.caseID) {
		t.Error("closed case missing with status=closed")
	}
}

func TestAuditRecordsCaseViews(t *testing.T) {
	e := newEnv(t)
	c := e.login("op")
	if code, _ := e.get(c, "/console/cases/"+e.caseID); code != http.StatusOK {
		t.Fatalf("case page: %d", code)
	}
	entries, _, err := e.audit.Page(context.Background(), AuditCursor{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, a := range entries {
		if a.Action == ActionCaseView && a.Case == e.caseID && a.Actor == "op" && a.Role == RoleOperator && !a.At.IsZero() {
			found = true
		}
	}
	if !found {
		t.Fatalf("no case.view entry in %+v", entries)
	}
	if code, _ := e.get(c, "/console/audit"); code != http.StatusForbidden {
		t.Errorf("operator reads the audit log: %d, want 403", code)
	}
	code, body := e.get(e.login("coord"), "/console/audit")
	if code != http.StatusOK || !strings.Contains(body, "ha aperto un caso") || !strings.Contains(body, e.caseID) {
		t.Errorf("coordinator's audit page: %d %.500s", code, body)
	}
}

func addCourses(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	mk := func(id, site string) courses.Course {
		return courses.Course{ID: id, Site: site, Level: courses.LevelA1, Title: "Italiano A1 " + site, Weekdays: []time.Weekday{time.Monday, time.Wednesday},
			StartTime: "09:00", EndTime: "11:00", StartDate: "2030-01-07", EndDate: "2030-06-30", Seats: 10, Address: "Via Roma 1"}
	}
	if _, err := e.courses.Upsert(ctx, []courses.Course{mk("fra-a1", "cpia-frascati"), mk("vel-a1", "cpia-velletri")}); err != nil {
		t.Fatal(err)
	}
	for i, p := range []struct {
		course, name string
	}{{"fra-a1", "Fatou Diallo"}, {"vel-a1", "Oksana Velletri"}} {
		chat := int64(100 + i)
		e.courses.chats = append(e.courses.chats, chat)
		if _, err := e.courses.Enrol(ctx, p.course, courses.Person{ChatID: chat, Name: p.name, Phone: "+39 333 000000" + string(rune('0'+i)), Language: "fr"}, "k"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSchoolSeesOnlyItsSite(t *testing.T) {
	e := newEnv(t)
	addCourses(t, e)
	c := e.login("frascati")
	code, body := e.get(c, "/console/courses")
	if code != http.StatusOK || !strings.Contains(body, "fra-a1") || strings.Contains(body, "vel-a1") {
		t.Fatalf("school's course list: %d %.800s", code, body)
	}
	code, body = e.get(c, "/console/courses/fra-a1")
	if code != http.StatusOK || !strings.Contains(body, "Fatou Diallo") {
		t.Fatalf("own course: %d %.500s", code, body)
	}
	code, body = e.get(c, "/console/courses/fra-a1/enrolments.csv")
	if code != http.StatusOK || !strings.Contains(body, "Fatou Diallo") || !strings.HasPrefix(body, "course,site,title,seat,name") {
		t.Fatalf("own register: %d %q", code, body)
	}
	for _, p := range []string{"/console/courses/vel-a1", "/console/courses/vel-a1/enrolments.csv"} {
		if code, body := e.get(c, p); code != http.StatusNotFound || strings.Contains(body, "Oksana") {
			t.Errorf("GET %s by another site's school: %d", p, code)
		}
	}
	for _, p := range []string{"/console/cases", "/console/cases/" + e.caseID, "/console/audit", "/console/directory/edit"} {
		if code, body := e.get(c, p); code != http.StatusForbidden || strings.Contains(body, "Amina") {
			t.Errorf("GET %s by a school: %d, want 403", p, code)
		}
	}
	tok := e.csrf(c, "/console/courses")
	if code, _ := e.post(c, "/console/cases/"+e.caseID+"/reply", url.Values{"csrf": {tok}, "text": {"x"}}); code != http.StatusForbidden {
		t.Errorf("school replies to a case: %d", code)
	}
	// The enrolment views are audited.
	entries, _, _ := e.audit.Page(context.Background(), AuditCursor{}, 0)
	var views int
	for _, a := range entries {
		if a.Course == "fra-a1" && a.Actor == "frascati" {
			views++
		}
	}
	if views != 2 {
		t.Errorf("audited enrolment views: %d, want 2", views)
	}
	// The coordinator sees both sites with their counts.
	_, body = e.get(e.login("coord"), "/console/courses")
	if !strings.Contains(body, "fra-a1") || !strings.Contains(body, "vel-a1") {
		t.Error("coordinator does not see every course")
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	for i := range 5 {
		if code := e.tryLogin(c, "op", "wrong password "); code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, code)
		}
	}
	if code := e.tryLogin(c, "op", pw); code != http.StatusTooManyRequests {
		t.Fatalf("6th attempt with the right password: %d, want 429", code)
	}
	// Other accounts are not locked out by someone else's mistakes (here
	// every request comes from the same loopback address, as behind a
	// proxy without PRESIDIO_TRUST_PROXY).
	if code := e.tryLogin(e.client(), "coord", pw); code != http.StatusSeeOther {
		t.Fatalf("other account from the same address: %d, want a login", code)
	}
	e.clock.add(15*time.Minute + time.Second)
	if code := e.tryLogin(c, "op", pw); code != http.StatusSeeOther {
		t.Fatalf("after the window: %d", code)
	}
}

func TestSessionExpires(t *testing.T) {
	e := newEnv(t)
	c := e.login("op")
	e.clock.add(7 * time.Hour)
	if code, _ := e.get(c, "/console/cases"); code != http.StatusOK {
		t.Fatalf("after 7h: %d", code)
	}
	e.clock.add(7 * time.Hour) // 7h idle since the last request: still alive
	if code, _ := e.get(c, "/console/cases"); code != http.StatusOK {
		t.Fatalf("7h after the last request: %d", code)
	}
	e.clock.add(8*time.Hour + time.Minute)
	code, _ := e.get(c, "/console/cases")
	if code != http.StatusSeeOther {
		t.Fatalf("after 8h idle: %d, want a redirect to the login", code)
	}
}

func TestLogoutEndsSession(t *testing.T) {
	e := newEnv(t)
	c := e.login("op")
	tok := e.csrf(c, "/console/cases")
	if code, _ := e.post(c, "/console/logout", url.Values{"csrf": {tok}}); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	if code, _ := e.get(c, "/console/cases"); code != http.StatusSeeOther {
		t.Fatalf("after logout: %d", code)
	}
}

func TestEnglishUI(t *testing.T) {
	e := newEnv(t)
	c := e.login("op")
	_, body := e.get(c, "/console/cases")
	if !strings.Contains(body, "Casi") {
		t.Error("default UI is not Italian")
	}
	_, body = e.get(c, "/console/cases?lang=en")
	if !strings.Contains(body, "Log out") || strings.Contains(body, "[console.") {
		t.Errorf("English UI: %.600s", body)
	}
}
