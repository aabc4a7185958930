package locales

// Completeness and quality checks on the embedded message files. They are
// the translators' to-do list: each failure names the file, the message id
// and what is wrong.

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"
	"unicode/utf8"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func fileName(tag string) string { return "active." + tag + ".toml" }

// sortedIDs returns the message ids of a language, sorted.
func sortedIDs(c *Catalog, tag string) []string {
	return slices.Sorted(maps.Keys(c.messages[tag]))
}

// isPlural reports whether a source message is a plural message: it has a
// form besides "other".
func isPlural(m *i18n.Message) bool {
	return len(messageForms(m)) > 1
}

// placeholders returns the names X of the {{.X}} fields that a template uses.
func placeholders(src string) (map[string]bool, error) {
	tmpl, err := template.New("").Parse(src)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case nil:
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			names[n.Ident[0]] = true
		case *parse.ChainNode:
			walk(n.Node)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		}
	}
	if tmpl.Tree != nil {
		walk(tmpl.Tree.Root)
	}
	return names, nil
}

func setString(s map[string]bool) string {
	keys := slices.Sorted(maps.Keys(s))
	if len(keys) == 0 {
		return "(none)"
	}
	return "{{." + strings.Join(keys, "}} {{.") + "}}"
}

// pluralCounts are the integer counts probed to find which CLDR plural forms
// a language uses: together they reach every integer branch of the CLDR rules
// (mod 10, mod 100, mod 1000000).
func pluralCounts() []int {
	var counts []int
	for n := 0; n <= 1200; n++ {
		counts = append(counts, n)
	}
	return append(counts, 1000000, 2000000, 1000001, 1100000, 21000000)
}

// usedPluralForms returns the CLDR plural forms that go-i18n (the code that
// picks the form at run time) selects for language tag over pluralCounts,
// plus "other", which every message needs. It asks go-i18n's public API: a
// probe message whose every form is the form's own name.
func usedPluralForms(t *testing.T, tag string) map[string]bool {
	t.Helper()
	b := i18n.NewBundle(language.Make(SourceLanguage))
	probe := &i18n.Message{ID: "probe", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}
	if err := b.AddMessages(language.Make(tag), probe); err != nil {
		t.Fatalf("go-i18n has no plural rule for %q: %v", tag, err)
	}
	loc := i18n.NewLocalizer(b, tag)
	forms := map[string]bool{"other": true}
	for _, n := range pluralCounts() {
		s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: "probe", PluralCount: n})
		if err != nil {
			t.Fatalf("probe %s %d: %v", tag, n, err)
		}
		forms[s] = true
	}
	return forms
}

func TestPluralProbeKnowsOurLanguages(t *testing.T) {
	// Guards the probe itself against a go-i18n or CLDR change going unnoticed.
	want := map[string]string{
		"it": "many one other", "en": "one other", "fr": "many one other", "es": "many one other",
		"ar": "few many one other two zero", "uk": "few many one other", "ru": "few many one other",
		"ro": "few one other", "sq": "one other", "bn": "one other", "ur": "one other",
		"pa": "one other", "zh": "other", "fil": "one other", "fa": "one other", "ps": "one other",
	}
	for _, l := range supported {
		got := strings.Join(slices.Sorted(maps.Keys(usedPluralForms(t, l.Tag))), " ")
		if want[l.Tag] != got {
			t.Errorf("plural forms of %s: got %q, want %q", l.Tag, got, want[l.Tag])
		}
	}
}

func TestEveryFileIsASupportedLanguage(t *testing.T) {
	entries, err := fs.ReadDir(embedded, ".")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, e := range entries {
		m := filePattern.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		files[m[1]] = true
		if _, ok := lookupLanguage(m[1]); !ok {
			t.Errorf("%s: language %q is not in Languages(); add it to languages.go", e.Name(), m[1])
		}
	}
	for _, l := range supported {
		if !files[l.Tag] {
			t.Errorf("language %s (%s) is in Languages() but %s does not exist", l.Tag, l.Name, fileName(l.Tag))
		}
	}
}

func TestSourceMessagesHaveDescriptions(t *testing.T) {
	c := mustLoad(t)
	for _, id := range sortedIDs(c, SourceLanguage) {
		if strings.TrimSpace(c.messages[SourceLanguage][id].Description) == "" {
			t.Errorf("%s: [%q] has no description for translators", fileName(SourceLanguage), id)
		}
	}
}

func TestNoMissingMessages(t *testing.T) {
	c := mustLoad(t)
	for _, l := range supported {
		if l.Tag == SourceLanguage {
			continue
		}
		var missing []string
		for _, id := range sortedIDs(c, SourceLanguage) {
			if !c.has(l.Tag, id) {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s lacks %d message(s) of %s: %s", fileName(l.Tag), len(missing), fileName(SourceLanguage), strings.Join(missing, ", "))
		}
	}
}

func TestNoExtraMessages(t *testing.T) {
	c := mustLoad(t)
	for _, l := range supported {
		for _, id := range sortedIDs(c, l.Tag) {
			if c.messages[SourceLanguage][id] == nil {
				t.Errorf("%s: [%q] is not in %s: add it there first (with a description), or remove it", fileName(l.Tag), id, fileName(SourceLanguage))
			}
		}
	}
}

func TestNoEmptyText(t *testing.T) {
	c := mustLoad(t)
	for _, l := range supported {
		for _, id := range sortedIDs(c, l.Tag) {
			m := c.messages[l.Tag][id]
			if strings.TrimSpace(m.Other) == "" {
				t.Errorf("%s: [%q] has no text (other)", fileName(l.Tag), id)
			}
			for form, src := range messageForms(m) {
				switch {
				case strings.TrimSpace(src) == "":
					t.Errorf("%s: [%q] %s is blank", fileName(l.Tag), id, form)
				case strings.TrimSpace(src) != src:
					t.Errorf("%s: [%q] %s starts or ends with spaces or newlines", fileName(l.Tag), id, form)
				case strings.Contains(src, "<no value>"):
					t.Errorf("%s: [%q] %s contains <no value>", fileName(l.Tag), id, form)
				}
			}
		}
	}
}

func TestPlaceholdersMatchSource(t *testing.T) {
	c := mustLoad(t)
	for _, id := range sortedIDs(c, SourceLanguage) {
		src := c.messages[SourceLanguage][id]
		want, err := placeholders(src.Other)
		if err != nil {
			t.Fatalf("%s: [%q]: %v", fileName(SourceLanguage), id, err)
		}
		// The union over the source's forms: a translated plural form may
		// leave out a placeholder (Arabic "دقيقتان", "two minutes", has no
		// number), but may not add one.
		union := maps.Clone(want)
		for _, s := range messageForms(src) {
			p, _ := placeholders(s)
			maps.Copy(union, p)
		}
		for _, l := range supported {
			m := c.messages[l.Tag][id]
			if m == nil {
				continue // reported by TestNoMissingMessages
			}
			for form, s := range messageForms(m) {
				got, err := placeholders(s)
				if err != nil {
					t.Errorf("%s: [%q] %s: %v", fileName(l.Tag), id, form, err)
					continue
				}
				switch {
				case form == "other" && !maps.Equal(got, want):
					t.Errorf("%s: [%q] uses %s, but %s uses %s", fileName(l.Tag), id, setString(got), fileName(SourceLanguage), setString(want))
				case form != "other":
					for name := range got {
						if !union[name] {
							t.Errorf("%s: [%q] %s uses {{.%s}}, which %s does not have", fileName(l.Tag), id, form, name, fileName(SourceLanguage))
						}
					}
				}
			}
		}
	}
}

func TestPluralForms(t *testing.T) {
	c := mustLoad(t)
	for _, l := range supported {
		used := usedPluralForms(t, l.Tag)
		for _, id := range sortedIDs(c, SourceLanguage) {
			m := c.messages[l.Tag][id]
			if m == nil {
				continue // reported by TestNoMissingMessages
			}
			want := map[string]bool{"other": true}
			if isPlural(c.messages[SourceLanguage][id]) {
				want = used
			}
			have := map[string]bool{}
			for form := range messageForms(m) {
				have[form] = true
			}
			for _, form := range slices.Sorted(maps.Keys(want)) {
				if !have[form] {
					t.Errorf("%s: [%q] lacks the plural form %q that %s needs (it has %s)",
						fileName(l.Tag), id, form, l.Name, strings.Join(slices.Sorted(maps.Keys(have)), ", "))
				}
			}
			for _, form := range slices.Sorted(maps.Keys(have)) {
				if !want[form] {
					what := fmt.Sprintf("%s never uses the plural form %q", l.Name, form)
					if !isPlural(c.messages[SourceLanguage][id]) {
						what = fmt.Sprintf("the message is not plural in %s, so %q is never used", fileName(SourceLanguage), form)
					}
					t.Errorf("%s: [%q]: %s; remove it", fileName(l.Tag), id, what)
				}
			}
		}
	}
}

// sampleData fills every placeholder that the source message uses.
func sampleData(t *testing.T, c *Catalog, id string) map[string]any {
	t.Helper()
	data := map[string]any{}
	for _, s := range messageForms(c.messages[SourceLanguage][id]) {
		p, err := placeholders(s)
		if err != nil {
			t.Fatal(err)
		}
		for name := range p {
			data[name] = "Sample" + name
		}
	}
	return data
}

func TestEveryMessageRenders(t *testing.T) {
	c := mustLoad(t)
	for _, l := range supported {
		for _, id := range sortedIDs(c, SourceLanguage) {
			if !c.has(l.Tag, id) {
				continue
			}
			data := sampleData(t, c, id)
			// A nil count renders a non-plural message, as Text does.
			counts := []any{nil}
			if isPlural(c.messages[SourceLanguage][id]) {
				counts = counts[:0]
				for _, n := range pluralCounts() {
					counts = append(counts, n)
				}
			}
			for _, n := range counts {
				d := maps.Clone(data)
				if n != nil {
					d["Count"] = n
				}
				s, err := c.localizers[l.Tag].Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: d, PluralCount: n})
				if err != nil {
					t.Errorf("%s: [%q] count %v: %v", fileName(l.Tag), id, n, err)
					break
				}
				if strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
					t.Errorf("%s: [%q] renders as %q", fileName(l.Tag), id, s)
					break
				}
			}
		}
	}
}

// identicalToSource lists "lang:id" pairs whose text may equal Italian's
// (a word that really is the same in both languages).
var identicalToSource = map[string]bool{
	"en:nav.menu": true, "fr:nav.menu": true, "en:forget.no": true, "en:feedback.not": true,
}

func TestTranslationsAreNotItalianCopies(t *testing.T) {
	c := mustLoad(t)
	for _, l := range supported {
		if l.Tag == SourceLanguage {
			continue
		}
		for _, id := range sortedIDs(c, l.Tag) {
			src := c.messages[SourceLanguage][id]
			if src == nil || identicalToSource[l.Tag+":"+id] || strings.HasPrefix(id, "cldr.") {
				continue // CLDR data ("cldr.*") is the same in many languages
			}
			if m := c.messages[l.Tag][id]; m.Other == src.Other {
				t.Errorf("%s: [%q] is the Italian text %q: translate it (or add %q to identicalToSource if it is right)",
					fileName(l.Tag), id, m.Other, l.Tag+":"+id)
			}
		}
	}
}

// Telegram limits a command description (setMyCommands) to 1-256
// characters; buttons must fit a phone screen, so they get 1-40.
func TestCommandsAndButtonsAreShort(t *testing.T) {
	c := mustLoad(t)
	for _, l := range supported {
		for _, id := range sortedIDs(c, l.Tag) {
			limit := 0
			switch {
			case strings.HasPrefix(id, "command."):
				limit = 256
			case strings.HasPrefix(id, "button."):
				limit = 40
			default:
				continue
			}
			s := c.messages[l.Tag][id].Other
			if n := utf8.RuneCountInString(s); n < 1 || n > limit {
				t.Errorf("%s: [%q] is %d characters; it must be 1-%d", fileName(l.Tag), id, n, limit)
			}
			if strings.ContainsAny(s, "\n\r") {
				t.Errorf("%s: [%q] must be one line", fileName(l.Tag), id)
			}
		}
	}
}

// In right-to-left text a slash command shows as "start/" unless it is
// isolated; the right-to-left files (Arabic, Urdu, Persian, Pashto) wrap commands in U+2068 … U+2069.
func TestRTLCommandsAreIsolated(t *testing.T) {
	c := mustLoad(t)
	for _, l := range supported {
		if !l.RTL {
			continue
		}
		for _, id := range sortedIDs(c, l.Tag) {
			for form, s := range messageForms(c.messages[l.Tag][id]) {
				for i := 0; i < len(s); i++ {
					if s[i] != '/' || i+1 >= len(s) || !isCommandChar(s[i+1]) {
						continue
					}
					if !strings.HasSuffix(s[:i], firstStrongIsolate) {
						t.Errorf("%s: [%q] %s: the command at byte %d is not preceded by \\u2068", fileName(l.Tag), id, form, i)
						continue
					}
					j := i + 1
					for j < len(s) && isCommandChar(s[j]) {
						j++
					}
					if !strings.HasPrefix(s[j:], popDirectionalIsolate) {
						t.Errorf("%s: [%q] %s: the command %s is not followed by \\u2069", fileName(l.Tag), id, form, s[i:j])
					}
				}
			}
		}
	}
}

func isCommandChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
}

func TestRomanianUsesCommaBelow(t *testing.T) {
	c := mustLoad(t)
	for _, id := range sortedIDs(c, "ro") {
		for form, s := range messageForms(c.messages["ro"][id]) {
			if strings.ContainsAny(s, "şţŞŢ") {
				t.Errorf("%s: [%q] %s uses ş/ţ with cedilla; Romanian writes ș/ț (comma below)", fileName("ro"), id, form)
			}
		}
	}
}

func TestLanguageChangedNamesEachLanguage(t *testing.T) {
	// Each language says it will now write in itself, so the texts differ.
	c := mustLoad(t)
	seen := map[string]string{}
	for _, l := range supported {
		s := c.Text(l.Tag, "language.changed", nil)
		if other, dup := seen[s]; dup {
			t.Errorf("language.changed is the same in %s and %s: %q", other, l.Tag, s)
		}
		seen[s] = l.Tag
	}
}

// Every translation stores the hash of the Italian text it was made from
// (go-i18n's "hash", as goi18n merge writes it). When an Italian text (or
// its description) changes, its translations are stale until translators
// update them: this test names them. See README.md, "Translators".
func TestNoStaleTranslations(t *testing.T) {
	c := mustLoad(t)
	for _, l := range supported {
		if ids := c.Stale()[l.Tag]; len(ids) > 0 {
			t.Errorf("%s: %d translation(s) made from an older Italian text, update them (presidio translations export -lang %s -todo): %s",
				fileName(l.Tag), len(ids), l.Tag, strings.Join(ids, ", "))
		}
	}
}

// The check above bites: changing an Italian text makes every translation
// of it stale.
func TestChangingItalianMakesTranslationsStale(t *testing.T) {
	dir := t.TempDir()
	files, err := embedded.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := embedded.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if f.Name() == fileName(SourceLanguage) {
			data = []byte(strings.Replace(string(data), `other = "Indietro"`, `other = "Torna indietro"`, 1))
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	stale := c.Stale()
	for _, l := range supported {
		if l.Tag != SourceLanguage && !slices.Contains(stale[l.Tag], "button.back") {
			t.Errorf("%s: button.back not stale after the Italian text changed (stale: %v)", l.Tag, stale[l.Tag])
		}
	}
	if _, ok := stale[SourceLanguage]; ok {
		t.Error("Italian itself reported stale")
	}
}
