package locales

import (
	"fmt"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Message returns a copy of message id in language tag's own file (no
// fallback), or nil. For tools (translations status, export); the bot uses
// Text and Plural.
func (c *Catalog) Message(tag, id string) *i18n.Message {
	m := c.messages[tag][id]
	if m == nil {
		return nil
	}
	cp := *m
	return &cp
}

// pluralProbeCounts are integer counts that together reach every integer
// branch of the CLDR plural rules (mod 10, mod 100, mod 1000000).
func pluralProbeCounts() []int {
	var counts []int
	for n := 0; n <= 1200; n++ {
		counts = append(counts, n)
	}
	return append(counts, 1000000, 2000000, 1000001, 1100000, 21000000)
}

// PluralForms returns the CLDR plural forms that go-i18n selects for
// language tag with whole numbers, in the order zero one two few many
// other ("other" always). It asks go-i18n's public API with a probe
// message whose every form is the form's own name.
func PluralForms(tag string) ([]string, error) {
	b := i18n.NewBundle(language.Make(SourceLanguage))
	probe := &i18n.Message{ID: "probe", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}
	if err := b.AddMessages(language.Make(tag), probe); err != nil {
		return nil, fmt.Errorf("go-i18n has no plural rule for %q: %w", tag, err)
	}
	loc := i18n.NewLocalizer(b, tag)
	used := map[string]bool{"other": true}
	for _, n := range pluralProbeCounts() {
		s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: "probe", PluralCount: n})
		if err != nil {
			return nil, err
		}
		used[s] = true
	}
	var out []string
	for _, f := range []string{"zero", "one", "two", "few", "many", "other"} {
		if used[f] {
			out = append(out, f)
		}
	}
	return out, nil
}
