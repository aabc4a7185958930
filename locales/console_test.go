package locales

import (
	"regexp"
	"sort"
	"testing"
)

// The console's texts exist in Italian and English, none empty, with the
// same placeholders.
func TestConsoleCatalogComplete(t *testing.T) {
	c, err := LoadConsole()
	if err != nil {
		t.Fatal(err)
	}
	if tags := c.LanguageTags(); len(tags) != 2 || tags[0] != "it" || tags[1] != "en" {
		t.Fatalf("console languages %v, want it and en", tags)
	}
	placeholder := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	names := func(s string) []string {
		var out []string
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		sort.Strings(out)
		return out
	}
	n := 0
	for id, msg := range c.messages["it"] {
		n++
		if !c.Has("en", id) {
			t.Errorf("console: %s missing in English", id)
			continue
		}
		it, en := messageForms(msg)["other"], messageForms(c.messages["en"][id])["other"]
		if it == "" || en == "" {
			t.Errorf("console: %s is empty", id)
		}
		if a, b := names(it), names(en); len(a) != len(b) {
			t.Errorf("console: %s placeholders differ: %v vs %v", id, a, b)
		}
	}
	for id := range c.messages["en"] {
		if !c.Has("it", id) {
			t.Errorf("console: %s is in English but not in Italian", id)
		}
	}
	if n < 150 {
		t.Fatalf("only %d console texts loaded", n)
	}
}
