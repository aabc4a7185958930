package app

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"

	"github.com/prils-lazio/presidio/internal/console"
)

// staff is a browser logged in to the console of a desk's app.
type staff struct {
	t      *testing.T
	client *http.Client
	base   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// loginAs creates an account with role and logs in with it.
func (d *desk) loginAs(name string, role console.Role) *staff {
	d.t.Helper()
	if _, err := console.NewUsers(d.a.Store).Add(context.Background(), name, role, "", "una-password-lunga-7"); err != nil {
		d.t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	s := &staff{t: d.t, client: &http.Client{Jar: jar}, base: "http://" + d.a.Addr() + "/console"}
	resp := s.post("/login", s.get("/login"), url.Values{"name": {name}, "password": {"una-password-lunga-7"}})
	if resp.StatusCode >= 400 {
		d.t.Fatalf("login as %s: %d", name, resp.StatusCode)
	}
	return s
}

func (s *staff) get(path string) string {
	s.t.Helper()
	resp, err := s.client.Get(s.base + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// post submits a form with the CSRF token found in page.
func (s *staff) post(path, page string, form url.Values) *http.Response {
	s.t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		s.t.Fatalf("no CSRF token in %.300s", page)
	}
	form.Set("csrf", m[1])
	resp, err := s.client.PostForm(s.base+path, form)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
