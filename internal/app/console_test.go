package app

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/console"
)

// The console is mounted by the app: an operator logs in, opens the case
// a person opened in the chat, and replies — the reply reaches the person
// through the bot and is copied into the case's topic.
func TestConsoleReplyReachesThePerson(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	users := console.NewUsers(d.a.Store)
	if _, err := users.Add(context.Background(), "giulia", console.RoleOperator, "", "una-password-lunga"); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	base := "http://" + d.a.Addr() + "/console"
	get := func(path string) string {
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	token := func(page string) string {
		m := csrf.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no CSRF token in %.300s", page)
		}
		return m[1]
	}
	page := get("/login")
	resp, err := client.PostForm(base+"/login", url.Values{"name": {"giulia"}, "password": {"una-password-lunga"}, "csrf": {token(page)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	casePage := get("/cases/C-000001")
	if !strings.Contains(casePage, "Olena") {
		t.Fatalf("case page: %.500s", casePage)
	}
	resp, err = client.PostForm(base+"/cases/C-000001/reply", url.Values{"text": {"Risposta dalla console"}, "csrf": {token(casePage)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for d.a.Runtime.Queued() > 0 {
		time.Sleep(time.Millisecond)
	}
	if got := d.last(d.person.ID).Text; !strings.Contains(got, "Risposta dalla console") {
		t.Fatalf("person got %q", got)
	}
	if got := d.last(SandboxOperatorChat); got.ThreadID != thread || !strings.Contains(got.Text, "Risposta dalla console") {
		t.Fatalf("topic copy: %+v", got)
	}
	// Closing in the console tells the topic and the person, as /close does.
	casePage = get("/cases/C-000001")
	resp, err = client.PostForm(base+"/cases/C-000001/close", url.Values{"outcome": {"risolto"}, "csrf": {token(casePage)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for d.a.Runtime.Queued() > 0 {
		time.Sleep(time.Millisecond)
	}
	if got := d.last(d.person.ID); got.Text != d.texts.Text("uk", "case.closed", nil) {
		t.Fatalf("person after closing in the console: %q", got.Text)
	}
	if got := d.last(SandboxOperatorChat); got.ThreadID != thread || !strings.HasPrefix(got.Text, "✅") {
		t.Fatalf("topic after closing in the console: %+v", got)
	}
}

// Announcements are in the console for coordinators and schools only.
func TestAnnouncementsPageRoles(t *testing.T) {
	d := startDesk(t, t.TempDir())
	users := console.NewUsers(d.a.Store)
	ctx := context.Background()
	if _, err := users.Add(ctx, "school1", console.RoleSchool, "frascati", "password-scuola-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := users.Add(ctx, "op1", console.RoleOperator, "", "password-operatore"); err != nil {
		t.Fatal(err)
	}
	base := "http://" + d.a.Addr() + "/console"
	login := func(name, password string) *http.Client {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.Get(base + "/login")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
		resp, err = c.PostForm(base+"/login", url.Values{"name": {name}, "password": {password}, "csrf": {m[1]}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return c
	}
	resp, err := login("school1", "password-scuola-1").Get(base + "/announce/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("school: %v %v", resp.Status, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "Destinatari") || strings.Contains(string(body), "announce.web.") {
		t.Fatalf("announcements page texts: %.400s", body)
	}
	resp, err = login("op1", "password-operatore").Get(base + "/announce/")
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("operator: %v %v", resp.Status, err)
	}
	resp.Body.Close()
}
