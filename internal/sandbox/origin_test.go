package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Another web site open in the same browser cannot chat through the
// sandbox: a cross-site form post (any content type but JSON) or a request
// from another origin is refused and reaches nobody; the sandbox's own
// page (JSON, same origin) still works.
func TestSandboxRefusesCrossSitePosts(t *testing.T) {
	r := newRig(t, opChat)
	post := func(path, ctype, body string, headers map[string]string) int {
		req, _ := http.NewRequest("POST", r.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	json := `{"user_id":4242,"name":"Eve","lang":"en","text":"/start"}`
	form := url.Values{`{"user_id":4242,"name":"Eve","lang":"en","text":"/start","x":"`: {`"}`}}.Encode()
	for name, c := range map[string]struct {
		ctype, body string
		headers     map[string]string
		want        int
	}{
		"form post":       {"application/x-www-form-urlencoded", form, nil, http.StatusUnsupportedMediaType},
		"text/plain":      {"text/plain", json, map[string]string{"Origin": "https://evil.example"}, http.StatusUnsupportedMediaType},
		"other origin":    {"application/json", json, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		"cross-site":      {"application/json", json, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		"operators' form": {"text/plain", `{"thread":1,"text":"hi"}`, nil, http.StatusUnsupportedMediaType},
	} {
		path := "/sandbox/api/send"
		if strings.HasPrefix(name, "operators") {
			path = "/sandbox/api/operators/send"
		}
		if got := post(path, c.ctype, c.body, c.headers); got != c.want {
			t.Errorf("%s: %d, want %d", name, got, c.want)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if n := r.emu.PendingUpdates(); n != 0 {
		t.Fatalf("refused posts queued %d updates", n)
	}
	host := strings.TrimPrefix(r.srv.URL, "http://")
	if got := post("/sandbox/api/send", "application/json", json, map[string]string{"Origin": "http://" + host, "Sec-Fetch-Site": "same-origin"}); got != http.StatusNoContent {
		t.Fatalf("the page's own post: %d", got)
	}
	if r.emu.PendingUpdates() != 1 {
		t.Fatal("the page's own post did not reach the bot")
	}
}
