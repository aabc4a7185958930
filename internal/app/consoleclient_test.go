package app

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/console"
)

// consoleClient is a logged-in browser-less console user of a desk app.
type consoleClient struct {
	t      *testing.T
	d      *desk
	http   *http.Client
	base   string
	lastPg string
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleLogin creates the account and logs in.
func (d *desk) consoleLogin(name string, role console.Role, site string) *consoleClient {
	d.t.Helper()
	if _, err := console.NewUsers(d.a.Store).Add(context.Background(), name, role, site, "una-password-lunga"); err != nil {
		d.t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &consoleClient{t: d.t, d: d, http: &http.Client{Jar: jar}, base: "http://" + d.a.Addr() + "/console"}
	c.get("/login")
	c.post("/login", url.Values{"name": {name}, "password": {"una-password-lunga"}})
	return c
}

// get returns the page's body; status is checked by the caller when it matters.
func (c *consoleClient) get(path string) string {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.lastPg = string(b)
	return c.lastPg
}

// post sends a form with the CSRF token of the last page read, waits for
// the outbox to drain, and returns the page it lands on.
func (c *consoleClient) post(path string, form url.Values) string {
	c.t.Helper()
	m := csrfRE.FindStringSubmatch(c.lastPg)
	if m == nil {
		c.t.Fatalf("no CSRF token in %.300s", c.lastPg)
	}
	form.Set("csrf", m[1])
	resp, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.lastPg = string(b)
	for c.d.a.Runtime.Queued() > 0 {
		time.Sleep(time.Millisecond)
	}
	return c.lastPg
}
