package announce

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// handler serves the pages as the user named by the X-Who header
// ("school:frascati", "coordinator:").
func handler(s *Service) http.Handler {
	h := &Handler{
		Service: s,
		Who: func(r *http.Request) (string, string, string, bool) {
			role, site, ok := strings.Cut(r.Header.Get("X-Who"), ":")
			return role, site, "tester", ok
		},
		CSRF: func(*http.Request) string { return "tok" },
	}
	return http.StripPrefix("/announce", h)
}

func do(t *testing.T, h http.Handler, who, method, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if who != "" {
		r.Header.Set("X-Who", who)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestWebPreviewSendReport(t *testing.T) {
	s, q := world(t)
	h := handler(s)
	school := "school:frascati"

	if w := do(t, h, "", "GET", "/announce/", nil); w.Code != http.StatusForbidden {
		t.Fatalf("anonymous: %d", w.Code)
	}
	if w := do(t, h, school, "GET", "/announce/", nil); w.Code != 200 || strings.Contains(w.Body.String(), `value="news"`) {
		t.Fatalf("school form: %d (a school must not be offered everyone)", w.Code)
	}
	form := url.Values{"csrf": {"tok"}, "kind": {"course"}, "course": {"a1"}, "text_it": {"Lezione annullata"}, "text_ar": {"ترجمة"}}

	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("csrf", "wrong")
	if w := do(t, h, school, "POST", "/announce/preview", bad); w.Code != http.StatusForbidden {
		t.Fatalf("preview with a wrong token: %d", w.Code)
	}

	w := do(t, h, school, "POST", "/announce/preview", form)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `<strong id="size">2</strong>`) {
		t.Fatalf("preview %d: %s", w.Code, w.Body)
	}
	if len(q.entries) != 0 {
		t.Fatal("the preview queued messages")
	}
	id := regexp.MustCompile(`name="id" value="([0-9a-f]+)"`).FindStringSubmatch(w.Body.String())
	if id == nil {
		t.Fatal("no id in the preview")
	}
	send := url.Values{}
	for k, v := range form {
		send[k] = v
	}
	send.Set("id", id[1])
	send.Set("confirm", "yes")

	bad = url.Values{}
	for k, v := range send {
		bad[k] = v
	}
	bad.Del("csrf")
	if w := do(t, h, school, "POST", "/announce/send", bad); w.Code != http.StatusForbidden || len(q.entries) != 0 {
		t.Fatalf("send without a token: %d, %d queued", w.Code, len(q.entries))
	}
	w = do(t, h, school, "POST", "/announce/send", send)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "report/"+id[1] {
		t.Fatalf("send: %d %q", w.Code, w.Header().Get("Location"))
	}
	// A second click sends nothing more.
	do(t, h, school, "POST", "/announce/send", send)
	if len(q.entries) != 2 {
		t.Fatalf("queued %d, want 2", len(q.entries))
	}

	w = do(t, h, school, "GET", "/announce/report/"+id[1], nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `<td id="pending">2</td>`) {
		t.Fatalf("report %d: %s", w.Code, w.Body)
	}
	if w := do(t, h, "school:marino", "GET", "/announce/report/"+id[1], nil); w.Code != http.StatusNotFound {
		t.Fatalf("another school sees the report: %d", w.Code)
	}
	if w := do(t, h, "coordinator:", "GET", "/announce/report/"+id[1], nil); w.Code != 200 {
		t.Fatalf("coordinator report: %d", w.Code)
	}
	if w := do(t, h, "school:marino", "GET", "/announce/", nil); strings.Contains(w.Body.String(), id[1]) {
		t.Fatal("another school lists the announcement")
	}

	// A school cannot reach another site through the form.
	other := url.Values{"csrf": {"tok"}, "kind": {"course"}, "course": {"b1"}, "text_it": {"x"}, "confirm": {"yes"}}
	w = do(t, h, school, "POST", "/announce/send", other)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "not allowed") || len(q.entries) != 2 {
		t.Fatalf("school to another site's course: %d, %d queued", w.Code, len(q.entries))
	}
	other.Set("kind", "site")
	other.Set("site", "marino")
	if w := do(t, h, school, "POST", "/announce/preview", other); !strings.Contains(w.Body.String(), "not allowed") {
		t.Fatalf("school to another site: %s", w.Body)
	}
}
