package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/prils-lazio/presidio/internal/console"
)

// In a real headless Chromium, each role logs in and follows only the
// links of the console's menu: every page the role may use is there, every
// page has the console's header with the same menu (the way back), no text
// is missing. A screenshot of each page is kept in artifacts/.
func TestConsoleMenusInTheBrowser(t *testing.T) {
	exe := chromium(t)
	d := startDesk(t, t.TempDir())
	d.openCase()
	ctx := context.Background()
	users := console.NewUsers(d.a.Store)
	roles := []struct {
		name  string
		role  console.Role
		site  string
		pages []string // the menu, in order
	}{
		{"coordinator", console.RoleCoordinator, "", []string{"/cases", "/directory", "/courses", "/notes", "/announce/", "/observatory/", "/audit", "/languages"}},
		{"operator", console.RoleOperator, "", []string{"/cases", "/directory", "/notes", "/languages"}},
		{"school", console.RoleSchool, "frascati", []string{"/courses", "/announce/"}},
		{"partner", console.RolePartner, "", []string{"/directory", "/notes"}},
	}
	for _, r := range roles {
		if _, err := users.Add(ctx, r.name, r.role, r.site, "password-di-prova"); err != nil {
			t.Fatal(err)
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	base := "http://" + d.a.Addr() + "/console"
	dir := artifacts(t)

	for _, r := range roles {
		t.Run(r.name, func(t *testing.T) {
			browser, cancel := chromedp.NewContext(alloc) // a fresh tab and cookie jar per role
			defer cancel()
			if err := chromedp.Do(browser); err != nil {
				t.Fatalf("starting Chromium: %v", err)
			}
			tab, cancelTimeout := context.WithTimeout(browser, 90*time.Second)
			defer cancelTimeout()
			do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				if err := chromedp.Do(tab, steps...); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			menu := func() []string {
				t.Helper()
				hrefs, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("header nav a")).map(a => a.getAttribute("href"))`))
				if err != nil {
					t.Fatalf("reading the menu: %v", err)
				}
				for i, h := range hrefs {
					hrefs[i] = strings.TrimPrefix(h, "/console")
				}
				return hrefs
			}
			do("log in",
				chromedp.Navigate(base+"/login"),
				chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)),
				chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), r.name),
				chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "password-di-prova"),
				chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
				chromedp.WaitVisible(chromedp.CSS(`form[action$="/logout"]`)),
			)
			first := menu()
			if !slices.Equal(first, r.pages) {
				t.Fatalf("%s's menu: %v, want %v", r.name, first, r.pages)
			}
			for _, page := range first {
				do("follow the menu to "+page,
					chromedp.Click(chromedp.CSS(`header nav a[href="/console`+page+`"]`)),
					chromedp.WaitVisible(chromedp.CSS(`header nav form[action$="/logout"]`)),
				)
				loc, _ := chromedp.Run(tab, chromedp.Location())
				if !strings.HasSuffix(loc, "/console"+page) && !strings.Contains(loc, "/console"+page+"?") {
					t.Errorf("%s: the menu link led to %s", page, loc)
				}
				if got := menu(); !slices.Equal(got, r.pages) {
					t.Errorf("%s: the page's menu is %v", page, got)
				}
				body, err := chromedp.Run(tab, chromedp.OuterHTML(chromedp.CSS("body")))
				if err != nil {
					t.Fatal(err)
				}
				for _, missing := range []string{"[console.", "[announce.", "<no value>"} {
					if strings.Contains(body, missing) {
						t.Errorf("%s: a text is missing (%s…)", page, missing)
					}
				}
				buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("screenshot of %s: %v", page, err)
				}
				name := "menu-" + r.name + "-" + strings.Trim(strings.ReplaceAll(page, "/", "-"), "-") + ".png"
				if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Contains(r.pages, "/courses") {
				return
			}
			// From the menu to the course form: a new course written as a
			// school secretary writes it is saved and shown.
			id := "browser-" + r.name + "-a1"
			do("open the course form from the course list",
				chromedp.Click(chromedp.CSS(`header nav a[href="/console/courses"]`)),
				chromedp.WaitVisible(chromedp.CSS(`a[href="/console/courses/edit"]`)),
				chromedp.Click(chromedp.CSS(`a[href="/console/courses/edit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`form[action$="/courses/save"] input[name="id"]`)),
			)
			fill := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.CSS(`input[name="id"]`), id)}
			for field, value := range map[string]string{"level": "A1", "title": "Italiano A1 dal browser", "weekdays": "lun, mer",
				"start_time": "18.00", "end_time": "20.00", "start_date": "12/01/2027", "end_date": "30/06/2027", "seats": "12",
				"address": "Via del Browser 1, Frascati", "title_en": "Italian A1 from the browser"} {
				fill = append(fill, chromedp.SendKeys(chromedp.CSS(`[name="`+field+`"]`), value))
			}
			if r.role != console.RoleSchool {
				fill = append(fill, chromedp.SendKeys(chromedp.CSS(`input[name="site"]`), "Frascati"))
			}
			do("fill in the course form", fill...)
			buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
			if err == nil {
				_ = os.WriteFile(filepath.Join(dir, "menu-"+r.name+"-course-form.png"), buf, 0o644)
			}
			do("save the course",
				chromedp.Submit(chromedp.CSS(`input[name="title"]`)),
				chromedp.WaitVisible(chromedp.CSS(`form[action$="/courses/`+id+`/retire"]`)),
			)
			if got := menu(); !slices.Equal(got, r.pages) {
				t.Errorf("the saved course's page has the menu %v", got)
			}
			if buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100)); err == nil {
				_ = os.WriteFile(filepath.Join(dir, "menu-"+r.name+"-course-saved.png"), buf, 0o644)
			}
			co, err := d.a.signup.Courses.Get(ctx, id)
			if err != nil || co.Site != "frascati" || co.StartTime != "18:00" || co.TitleTranslations["en"] != "Italian A1 from the browser" {
				t.Fatalf("the course saved from the browser: %+v %v", co, err)
			}
		})
	}
}
