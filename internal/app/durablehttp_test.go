package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/prils-lazio/presidio/internal/console"
)

// The console reports a change as saved only once it is on the disk: when
// the store cannot sync (a failing disk), the answer is a 503 that says so,
// not the page of a change a power cut could undo.
func TestConsoleSaysSavedOnlyOnceOnDisk(t *testing.T) {
	d := startDesk(t, t.TempDir())
	if !d.a.Store.Embedded {
		t.Skip("syncs are the embedded store's")
	}
	d.openCase()
	if _, err := console.NewUsers(d.a.Store).Add(context.Background(), "giulia", console.RoleOperator, "", "una-password-lunga"); err != nil {
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
	token := func(page string) string {
		m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no CSRF token in %.300s", page)
		}
		return m[1]
	}
	resp, err := client.PostForm(base+"/login", url.Values{"name": {"giulia"}, "password": {"una-password-lunga"}, "csrf": {token(get("/login"))}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	casePage := get("/cases/C-000001")
	d.a.Store.InjectSyncFault(func() error { return errors.New("disk failing") })
	resp, err = client.PostForm(base+"/cases/C-000001/note", url.Values{"text": {"nota interna"}, "csrf": {token(casePage)}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "disk") {
		t.Fatalf("with a failing disk the note was answered %d %.200s", resp.StatusCode, body)
	}
	d.a.Store.InjectSyncFault(nil)
	resp, err = client.PostForm(base+"/cases/C-000001/note", url.Values{"text": {"nota interna"}, "csrf": {token(casePage)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		t.Fatalf("with the disk back the note was answered %d", resp.StatusCode)
	}
}
