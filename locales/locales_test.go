package locales

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLanguages(t *testing.T) {
	c := mustLoad(t)
	want := []Language{
		{"it", "Italiano", false},
		{"en", "English", false},
		{"fr", "Français", false},
		{"es", "Español", false},
		{"ar", "العربية", true},
		{"uk", "Українська", false},
		{"ru", "Русский", false},
		{"ro", "Română", false},
		{"sq", "Shqip", false},
		{"bn", "বাংলা", false},
		{"ur", "اردو", true},
		{"pa", "ਪੰਜਾਬੀ", false},
		{"zh", "中文", false},
		{"fil", "Filipino", false},
		{"fa", "فارسی / دری", true},
		{"ps", "پښتو", true},
	}
	got := c.Languages()
	if len(got) != len(want) {
		t.Fatalf("Languages() has %d languages, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Languages()[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	got[0].Name = "changed"
	if c.Languages()[0].Name != "Italiano" {
		t.Error("Languages() returns the catalog's own slice; it must return a copy")
	}
}

func TestText(t *testing.T) {
	c := mustLoad(t)
	if got := c.Text("it", "button.back", nil); got != "Indietro" {
		t.Errorf("it button.back = %q", got)
	}
	if got := c.Text("en", "button.back", nil); got != "Back" {
		t.Errorf("en button.back = %q", got)
	}
	got := c.Text("en", "start.greeting", map[string]any{"Name": "Amina"})
	if !strings.HasPrefix(got, "Hi Amina! I'm Presidio") || !strings.Contains(got, "\n") {
		t.Errorf("en start.greeting = %q", got)
	}
	// A tag that is not exactly supported goes through Match.
	if got := c.Text("en-GB", "button.back", nil); got != "Back" {
		t.Errorf("en-GB button.back = %q", got)
	}
	if got := c.Text("uk-UA", "button.back", nil); got != "Назад" {
		t.Errorf("uk-UA button.back = %q", got)
	}
	if got := c.Text("prs", "button.back", nil); got != "برگشت" {
		t.Errorf("Dari (prs) button.back = %q, want the Persian text", got)
	}
	// Unsupported and empty languages get Italian.
	for _, lang := range []string{"de", "pt-BR", "", "???", "tg"} {
		if got := c.Text(lang, "button.back", nil); got != "Indietro" {
			t.Errorf("%q button.back = %q, want the Italian text", lang, got)
		}
	}
}

func TestMissingIDNeverPanics(t *testing.T) {
	c := mustLoad(t)
	for _, lang := range []string{"it", "en", "ar", "xx", ""} {
		if got := c.Text(lang, "no.such.id", nil); got != "[no.such.id]" {
			t.Errorf("Text(%q, missing) = %q", lang, got)
		}
		if got := c.Plural(lang, "no.such.id", 3, nil); got != "[no.such.id]" {
			t.Errorf("Plural(%q, missing) = %q", lang, got)
		}
	}
	if got := c.Text("it", "", nil); got != "[]" {
		t.Errorf("Text with an empty id = %q", got)
	}
	var nilCatalog *Catalog
	if got := nilCatalog.Text("it", "button.back", nil); got != "[button.back]" {
		t.Errorf("nil catalog: %q", got)
	}
	if _, ok := nilCatalog.Match("it"); ok {
		t.Error("nil catalog matched")
	}
	// A missing placeholder does not panic either.
	if got := c.Text("it", "start.greeting", nil); !strings.HasPrefix(got, "Ciao <no value>!") {
		t.Errorf("greeting without data = %q", got)
	}
}

func TestPlural(t *testing.T) {
	c := mustLoad(t)
	cases := []struct {
		lang  string
		count int
		want  string
	}{
		{"it", 1, "1 minuto"},
		{"it", 0, "0 minuti"},
		{"it", 5, "5 minuti"},
		{"en", 1, "1 minute"},
		{"en", 2, "2 minutes"},
		{"fr", 0, "0 minute"}, // French: 0 and 1 are singular
		{"fr", 2, "2 minutes"},
		{"ru", 1, "1 минута"},
		{"ru", 3, "3 минуты"},
		{"ru", 5, "5 минут"},
		{"ru", 11, "11 минут"},
		{"ru", 21, "21 минута"},
		{"ru", 22, "22 минуты"},
		{"uk", 2, "2 хвилини"},
		{"uk", 7, "7 хвилин"},
		{"ro", 1, "1 minut"},
		{"ro", 2, "2 minute"},
		{"ro", 20, "20 de minute"},
		{"ro", 101, "101 minute"},
		{"ar", 0, "0 دقيقة"},
		{"ar", 1, "دقيقة واحدة"},
		{"ar", 2, "دقيقتان"},
		{"ar", 3, "3 دقائق"},
		{"ar", 11, "11 دقيقة"},
		{"ar", 100, "100 دقيقة"},
		{"zh", 1, "1 分钟"},
		{"zh", 10, "10 分钟"},
		{"sq", 1, "1 minutë"},
		{"sq", 2, "2 minuta"},
		{"en-US", 3, "3 minutes"},
		{"de", 2, "2 minuti"}, // unsupported: Italian
	}
	for _, tc := range cases {
		if got := c.Plural(tc.lang, "common.minutes", tc.count, nil); got != tc.want {
			t.Errorf("Plural(%q, %d) = %q, want %q", tc.lang, tc.count, got, tc.want)
		}
	}
	// Count wins over a "Count" in data, and data is not modified.
	data := map[string]any{"Count": 99}
	if got := c.Plural("en", "common.minutes", 2, data); got != "2 minutes" {
		t.Errorf("Plural with Count in data = %q", got)
	}
	if data["Count"] != 99 {
		t.Error("Plural modified the caller's data")
	}
}

func TestFallbackChain(t *testing.T) {
	c, err := LoadDir(filepath.Join("testdata", "fallback"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, lang, id string
		data           map[string]any
		want           string
	}{
		{"present in en", "en", "fixture.both", nil, "In both"},
		{"missing in en: Italian", "en", "fixture.only_it", map[string]any{"Name": "Li"}, "Solo in italiano, Li."},
		{"empty in en: Italian", "en", "fixture.empty_en", nil, "Vuoto in inglese"},
		{"en-GB resolves to en", "en-GB", "fixture.both", nil, "In both"},
		{"language without a file: Italian", "fr", "fixture.both", nil, "In entrambe"},
		{"Italian itself", "it", "fixture.both", nil, "In entrambe"},
		{"missing everywhere", "en", "fixture.nowhere", nil, "[fixture.nowhere]"},
		{"translate.*.toml is not loaded", "en", "fixture.only_it", map[string]any{"Name": "X"}, "Solo in italiano, X."},
	}
	for _, tc := range cases {
		if got := c.Text(tc.lang, tc.id, tc.data); got != tc.want {
			t.Errorf("%s: Text(%q, %q) = %q, want %q", tc.name, tc.lang, tc.id, got, tc.want)
		}
	}
	// English lacks the "one" form: go-i18n uses English "other" rather
	// than switching to Italian.
	if got := c.Plural("en", "fixture.items", 1, nil); got != "1 items" {
		t.Errorf("plural with a missing form = %q", got)
	}
	if got := c.Plural("en", "fixture.items", 4, nil); got != "4 items" {
		t.Errorf("plural = %q", got)
	}
	// Only the languages with a file are offered and matched.
	var tags []string
	for _, l := range c.Languages() {
		tags = append(tags, l.Tag)
	}
	if strings.Join(tags, ",") != "it,en" {
		t.Errorf("Languages() of the fixture = %v", tags)
	}
	if tag, ok := c.Match("fr"); ok {
		t.Errorf("fixture matched fr to %q", tag)
	}
}

func TestLoadFromEnv(t *testing.T) {
	t.Setenv(DirEnv, filepath.Join("testdata", "fallback"))
	c, err := LoadFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Text("en", "fixture.both", nil); got != "In both" {
		t.Errorf("LoadFromEnv did not read %s: %q", DirEnv, got)
	}
	t.Setenv(DirEnv, "")
	if c, err = LoadFromEnv(); err != nil {
		t.Fatal(err)
	}
	if len(c.Languages()) != len(supported) {
		t.Errorf("LoadFromEnv without %s did not load the embedded files", DirEnv)
	}
}

func TestLoadDirOfTheRepositoryFolder(t *testing.T) {
	// What a translator does: PRESIDIO_LOCALES_DIR=locales.
	c, err := LoadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Languages()) != len(supported) {
		t.Errorf("LoadDir(locales) loaded %d languages", len(c.Languages()))
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadDirErrors(t *testing.T) {
	const it = "[\"a.b\"]\ndescription = \"d\"\nother = \"ciao\"\n"
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"language not in Languages()", map[string]string{"active.it.toml": it, "active.de.toml": "[\"a.b\"]\nother = \"hallo\"\n"}, `"de" is not a supported language`},
		{"regional tag", map[string]string{"active.it.toml": it, "active.en-GB.toml": ""}, `"en-GB" is not a supported language`},
		{"no Italian", map[string]string{"active.en.toml": "[\"a.b\"]\nother = \"hi\"\n"}, "no active.it.toml"},
		{"bad TOML", map[string]string{"active.it.toml": "[\"a.b\"]\nother = ciao\n"}, "line 2"},
		{"bad template", map[string]string{"active.it.toml": "[\"a.b\"]\nother = \"ciao {{.Name\"\n"}, `message "a.b"`},
		{"duplicate id", map[string]string{"active.it.toml": "[a.b]\nother = \"x\"\n[\"a.b\"]\nother = \"y\"\n"}, "defined twice"},
		{"mixed keys", map[string]string{"active.it.toml": "[\"a.b\"]\nother = \"x\"\nfoo = \"y\"\n"}, "active.it.toml"},
	}
	for _, tc := range cases {
		_, err := LoadDir(writeFiles(t, tc.files))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := LoadDir(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("LoadDir of a missing folder succeeded")
	}
	file := filepath.Join(writeFiles(t, map[string]string{"active.it.toml": it}), "active.it.toml")
	if _, err := LoadDir(file); err == nil {
		t.Error("LoadDir of a file succeeded")
	}
}

func TestMatch(t *testing.T) {
	c := mustLoad(t)
	cases := []struct {
		code string
		want string // "" means ok must be false
	}{
		// Plain and regional tags of supported languages.
		{"it", "it"},
		{"it-CH", "it"},
		{"en", "en"},
		{"en-US", "en"},
		{"en-GB", "en"},
		{"EN", "en"},
		{"en_US", "en"},
		{" en ", "en"},
		{"fr-CA", "fr"},
		{"es-419", "es"},
		{"es-AR", "es"},
		{"ar", "ar"},
		{"ar-EG", "ar"},
		{"uk", "uk"},
		{"ru", "ru"},
		{"ro", "ro"},
		{"ro-MD", "ro"},
		{"sq", "sq"},
		{"sq-AL", "sq"},
		{"bn", "bn"},
		{"bn-IN", "bn"},
		{"ur", "ur"},
		{"ur-PK", "ur"},
		{"ur-IN", "ur"},
		{"pa", "pa"},
		{"pa-Guru", "pa"},
		{"fil", "fil"},
		{"fil-PH", "fil"},
		{"tl", "fil"}, // Tagalog and Filipino are the same language
		// Chinese: Simplified matches; Traditional (only Low confidence for
		// Simplified text) does not, so those users choose from the list.
		{"zh", "zh"},
		{"zh-hans", "zh"},
		{"zh-Hans-CN", "zh"},
		{"zh-CN", "zh"},
		{"zh-SG", "zh"},
		{"zh-Hant", ""},
		{"zh-hant", ""},
		{"zh-TW", ""},
		{"zh-HK", ""},
		{"zh-Hant-TW", ""},
		// Persian and Dari (the Persian of Afghanistan) read the fa file;
		// Pashto has its own.
		{"fa", "fa"},
		{"fa-IR", "fa"},
		{"fa-AF", "fa"},
		{"prs", "fa"},
		{"prs-AF", "fa"},
		{"ps", "ps"},
		{"ps-AF", "ps"},
		{"ps-PK", "ps"},
		// Other languages must not land on a language we speak.
		{"uz-Cyrl", ""}, // CLDR rates uz → ru High: refused, a different language
		{"uz", ""},
		{"tg", ""},      // Tajik: Persian in Cyrillic script, not the fa file
		{"bal", ""},     // Balochi: not Persian, not Urdu
		{"hi", ""},      // Hindi: not Urdu, not Bengali
		{"pa-Arab", ""}, // Shahmukhi Punjabi: not the Gurmukhi file
		{"pa-PK", ""},
		{"pt", ""}, // Portuguese: not Spanish
		{"pt-BR", ""},
		{"gl", ""}, // Galician: CLDR says es, High; refused
		{"ca", ""},
		{"be", ""}, // Belarusian: CLDR says ru, High; refused
		{"kk", ""},
		{"wo", ""}, // Wolof: CLDR says fr, High; refused
		{"so", ""}, // Somali: CLDR says en, High; refused
		{"ti", ""},
		{"ckb", ""}, // Central Kurdish: CLDR says ar, High; refused
		{"am", ""},
		{"de", ""},
		{"sr", ""},
		{"und", ""},
		{"", ""},
		{"   ", ""},
		{"zz", ""},
		{"not a tag", ""},
		{"x-private", ""},
	}
	for _, tc := range cases {
		got, ok := c.Match(tc.code)
		switch {
		case tc.want == "" && ok:
			t.Errorf("Match(%q) = %q, true; want no match", tc.code, got)
		case tc.want != "" && (!ok || got != tc.want):
			t.Errorf("Match(%q) = %q, %v; want %q, true", tc.code, got, ok, tc.want)
		case !ok && got != "":
			t.Errorf("Match(%q) = %q, false; want an empty tag with ok=false", tc.code, got)
		}
	}
}

func TestResolve(t *testing.T) {
	c := mustLoad(t)
	for code, want := range map[string]string{
		"fil": "fil", "tl": "fil", "ar-EG": "ar", "zh-TW": "it", "": "it", "ps": "ps", "prs": "fa", "de": "it",
	} {
		if got := c.Resolve(code); got != want {
			t.Errorf("Resolve(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestIsRTL(t *testing.T) {
	c := mustLoad(t)
	for _, l := range c.Languages() {
		want := l.Tag == "ar" || l.Tag == "ur" || l.Tag == "fa" || l.Tag == "ps"
		if got := c.IsRTL(l.Tag); got != want {
			t.Errorf("IsRTL(%q) = %v", l.Tag, got)
		}
		if l.RTL != want {
			t.Errorf("Language %q RTL = %v", l.Tag, l.RTL)
		}
	}
	if !c.IsRTL("ar-EG") || !c.IsRTL("ur-PK") {
		t.Error("regional Arabic/Urdu tags are not RTL")
	}
	// Hebrew is RTL but not supported: the text will be Italian.
	if c.IsRTL("he") || c.IsRTL("") {
		t.Error("an unsupported language is RTL")
	}
}

func TestIsolate(t *testing.T) {
	c := mustLoad(t)
	cases := []struct{ lang, in, want string }{
		{"ar", "+39 06 9401234", "\u2068+39 06 9401234\u2069"},
		{"ur", "https://example.org/a?b=1", "\u2068https://example.org/a?b=1\u2069"},
		{"ar-EG", "CPIA di Frascati", "\u2068CPIA di Frascati\u2069"},
		{"ar", "", ""},
		{"it", "+39 06 9401234", "+39 06 9401234"},
		{"en", "Via Roma 12", "Via Roma 12"},
		{"zh", "CPIA", "CPIA"},
		{"xx", "CPIA", "CPIA"},
	}
	for _, tc := range cases {
		if got := c.Isolate(tc.lang, tc.in); got != tc.want {
			t.Errorf("Isolate(%q, %q) = %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
	// In use: the isolated fragment goes in as template data.
	got := c.Text("ar", "start.greeting", map[string]any{"Name": c.Isolate("ar", "John")})
	if !strings.Contains(got, "\u2068John\u2069") {
		t.Errorf("isolated name not in the Arabic greeting: %q", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := mustLoad(t)
	var wg sync.WaitGroup
	for _, l := range c.Languages() {
		wg.Add(1)
		go func(tag string) {
			defer wg.Done()
			for i := range 50 {
				if c.Plural(tag, "common.minutes", i, nil) == "" || c.Text(tag, "start.greeting", map[string]any{"Name": "N"}) == "" {
					t.Errorf("empty text for %s", tag)
					return
				}
			}
		}(l.Tag)
	}
	wg.Wait()
}
