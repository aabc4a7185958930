package announce

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/prils-lazio/presidio/locales"
)

// An announcement too long for one message, counting what is added to it
// (the line saying it is from the school, in every language), is refused
// at the preview with the reason, and queues nothing.
func TestTooLongAnnouncementRefusedAtPreview(t *testing.T) {
	s, q := world(t)
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	s.Texts = texts
	h := handler(s)
	for name, it := range map[string]string{
		"5,000 characters":                strings.Repeat("Lezione. ", 556),
		"fits alone, not with the header": strings.Repeat("a", 4090),
	} {
		form := url.Values{"csrf": {"tok"}, "kind": {"course"}, "course": {"a1"}, "text_it": {it}}
		w := do(t, h, "school:frascati", "POST", "/announce/preview", form)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "too long") || strings.Contains(w.Body.String(), `id="size"`) {
			t.Errorf("%s: preview %d, want the form again saying it is too long: %.400s", name, w.Code, w.Body)
		}
		form.Set("confirm", "yes")
		form.Set("id", "0123456789abcdef")
		do(t, h, "school:frascati", "POST", "/announce/send", form)
		if len(q.entries) != 0 {
			t.Fatalf("%s: %d messages queued", name, len(q.entries))
		}
	}
	// Just within the limit with the header: accepted.
	ok := url.Values{"csrf": {"tok"}, "kind": {"course"}, "course": {"a1"}, "text_it": {strings.Repeat("a", 3900)}}
	if w := do(t, h, "school:frascati", "POST", "/announce/preview", ok); !strings.Contains(w.Body.String(), `id="size"`) {
		t.Fatalf("a text that fits was refused: %.400s", w.Body)
	}
}
