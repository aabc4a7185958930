package app

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/prils-lazio/presidio/internal/console"
	"github.com/prils-lazio/presidio/internal/observatory"
)

// chromium returns Debian's Chromium. In CI (CI=true) its absence fails the
// test: .ci/run installs it; elsewhere the browser tests are skipped.
func chromium(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed: .ci/run must install Debian's chromium for the browser tests")
	}
	t.Skip("no Chromium here (apt-get install chromium); CI runs these tests")
	return ""
}

// artifacts is where screenshots are kept: $PRESIDIO_ARTIFACTS, or
// artifacts/ at the repository root.
func artifacts(t *testing.T) string {
	dir := os.Getenv("PRESIDIO_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// In a real headless Chromium: a coordinator logs in, sees the case inbox,
// opens a case and replies — the reply reaches the person in the emulator;
// edits a directory entry; reads the observatory dashboard with seeded
// data. Screenshots of each page are kept.
func TestConsoleInTheBrowser(t *testing.T) {
	exe := chromium(t)
	d := startDesk(t, t.TempDir())
	d.openCase()
	ctx := context.Background()
	if _, err := console.NewUsers(d.a.Store).Add(ctx, "coord", console.RoleCoordinator, "", "password-di-prova"); err != nil {
		t.Fatal(err)
	}
	rec, err := observatory.NewRecorder(d.a.Store, []byte("a-secret-of-at-least-16"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		_ = rec.Record(ctx, observatory.Event{Kind: observatory.KindTopicView, Lang: "uk", Topic: "health", Person: rec.Person(int64(100 + i))})
	}
	for i := range 7 {
		_ = rec.Record(ctx, observatory.Event{Kind: observatory.KindTopicView, Lang: "ar", Topic: "permits", Person: rec.Person(int64(200 + i))})
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(browser); err != nil { // start the browser without a timeout
		t.Fatalf("starting Chromium: %v", err)
	}
	tab, cancelTimeout := context.WithTimeout(browser, 90*time.Second)
	defer cancelTimeout()

	base := "http://" + d.a.Addr() + "/console"
	dir := artifacts(t)
	shot := func(name string) {
		t.Helper()
		buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "console-"+name+".png"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	html := func() string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.OuterHTML(chromedp.CSS("body")))
		if err != nil {
			t.Fatalf("reading the page: %v", err)
		}
		return s
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	do("log in",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "coord"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "password-di-prova"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/logout"]`)),
	)
	do("open the inbox", chromedp.Navigate(base+"/cases"), chromedp.WaitVisible(chromedp.CSS(`a[href$="/cases/C-000001"]`)))
	inbox := html()
	shot("inbox")
	do("open the case and reply",
		chromedp.Click(chromedp.CSS(`a[href$="/cases/C-000001"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/reply"] textarea`)),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/reply"] textarea`), "Buongiorno dal browser"),
	)
	shot("case")
	do("send the reply", chromedp.Submit(chromedp.CSS(`form[action$="/reply"] textarea`)), chromedp.WaitVisible(chromedp.CSS(`body`)))
	do("edit a directory entry",
		chromedp.Navigate(base+"/directory/edit?id=asl-frascati"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="name"]`), "ASL Roma 6 — Frascati (modificato nel browser)"),
		chromedp.Submit(chromedp.CSS(`input[name="name"]`)),
		chromedp.WaitVisible(chromedp.CSS(`body`)),
		chromedp.Navigate(base+"/directory"),
		chromedp.WaitVisible(chromedp.CSS(`body`)),
	)
	directoryPage := html()
	shot("directory")
	do("read the dashboard", chromedp.Navigate(base+"/observatory/"), chromedp.WaitVisible(chromedp.CSS(`svg`)))
	dashboard := html()
	shot("observatory")
	if !strings.Contains(inbox, "C-000001") {
		t.Error("the inbox does not list the case")
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(d.last(d.person.ID).Text, "Buongiorno dal browser") {
		if time.Now().After(deadline) {
			t.Fatalf("the reply did not reach the person: %q", d.last(d.person.ID).Text)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(directoryPage, "modificato nel browser") {
		t.Error("the directory edit is not shown")
	}
	if !strings.Contains(dashboard, "<svg") || !strings.Contains(dashboard, "<td>12</td>") || !strings.Contains(dashboard, "<td>8</td>") {
		t.Errorf("dashboard: %.400s", dashboard)
	}
}
