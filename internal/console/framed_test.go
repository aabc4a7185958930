package console

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// A mounted section's HTML page is shown inside the console's layout, with
// the role's menu and without the page's own head and styles; its other
// answers (CSV) pass through untouched.
func TestMountedPagesAreFramed(t *testing.T) {
	st := storetest.Open(t)
	users := NewUsers(st)
	users.Cost = bcrypt.MinCost
	if _, err := users.Add(context.Background(), "coord", RoleCoordinator, "", pw); err != nil {
		t.Fatal(err)
	}
	obs := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".csv") {
			w.Header().Set("Content-Type", "text/csv")
			fmt.Fprint(w, "day,events\n2026-12-03,7\n")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Osservatorio &amp; dati</title><style>body{margin:9rem}</style></head><body><h1>Osservatorio</h1><p id="inside">42</p></body></html>`)
	})
	srv := httptest.NewServer(New(Config{Accounts: users, Audit: NewStoreAudit(st), Observatory: obs}))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) (string, string) {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Header.Get("Content-Type"), string(b)
	}
	_, page := get("/console/login")
	resp, err := c.PostForm(srv.URL+"/console/login", url.Values{"name": {"coord"}, "password": {pw}, "csrf": {csrfRE.FindStringSubmatch(page)[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	_, page = get("/console/observatory/")
	for _, want := range []string{`<p id="inside">42</p>`, `href="/console/cases"`, `href="/console/observatory/"`, "<title>Osservatorio &amp; dati · Console PRILS</title>", `action="/console/logout"`} {
		if !strings.Contains(page, want) {
			t.Errorf("framed page lacks %s:\n%s", want, page)
		}
	}
	if strings.Contains(page, "9rem") || strings.Count(page, "<body>") != 1 {
		t.Errorf("the page's own head or body leaked into the layout:\n%s", page)
	}
	ct, csv := get("/console/observatory/topics.csv")
	if ct != "text/csv" || csv != "day,events\n2026-12-03,7\n" {
		t.Errorf("CSV changed by the framing: %q %q", ct, csv)
	}
}
