// Package locales holds every user-facing string of Presidio, in every
// language it speaks, and the code that picks the right one.
//
// # Files
//
// Messages live in go-i18n TOML files, one per language, named
// active.<tag>.toml (active.it.toml, active.en.toml, …) and embedded in the
// binary. Italian (SourceLanguage) is the source: every message id is written
// there first, with a description for translators. See README.md for the
// translator workflow.
//
// # Fallback
//
// Text and Plural look a message up in the requested language and, if that
// language lacks it (or has it empty), in Italian. go-i18n on its own would
// also fall back to its bundle's default language, but the chain here is
// explicit: the Catalog walks [requested language, Italian] itself, asking
// go-i18n for exactly one language at a time. A plural form missing in the
// requested language is replaced by that language's "other" form. If
// the id is missing everywhere the result is "[id]", so a missing text is
// visible but never fatal. The requested language may be any tag: an exact
// supported tag ("uk") is used as is, anything else goes through Match
// ("en-GB" → "en"), and what does not match gets Italian.
//
// # Right-to-left languages
//
// Arabic, Urdu, Persian and Pashto are written right to left. A left-to-right fragment put
// into their text at run time (a phone number, a URL, an Italian street or
// office name, a user's Latin-script name) can be shuffled by the Unicode
// bidirectional algorithm; wrap it with Catalog.Isolate before passing it as
// template data. Slash commands written inside the right-to-left files are
// already wrapped (\u2068/start\u2069).
package locales

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// DirEnv is the environment variable that, when set, makes LoadFromEnv read
// the message files from that folder instead of the embedded copies, so a
// translator can try edits without rebuilding.
const DirEnv = "PRESIDIO_LOCALES_DIR"

//go:embed active.*.toml
var embedded embed.FS

//go:embed console/active.*.toml
var consoleFS embed.FS

// LoadConsole returns the catalog of the web console and the observatory
// (locales/console: Italian, the source, and English).
func LoadConsole() (*Catalog, error) {
	sub, err := fs.Sub(consoleFS, "console")
	if err != nil {
		return nil, err
	}
	return loadFS(sub, "embedded console locales")
}

// filePattern matches the message files that are loaded. Other files in the
// folder (README.md, goi18n's translate.*.toml work files, …) are ignored.
var filePattern = regexp.MustCompile(`^active\.([^.]+)\.toml$`)

// Unicode directional isolates, see Isolate.
const (
	firstStrongIsolate    = "\u2068"
	popDirectionalIsolate = "\u2069"
)

// Catalog holds the loaded messages. It is safe for concurrent use and never
// changes after loading.
type Catalog struct {
	bundle     *i18n.Bundle
	languages  []Language     // loaded languages, in the order of supported
	tags       []language.Tag // parallel to languages
	matcher    language.Matcher
	localizers map[string]*i18n.Localizer          // by tag, each for exactly one language
	messages   map[string]map[string]*i18n.Message // tag → id → message
}

// Load returns the catalog of the message files embedded in the binary.
func Load() (*Catalog, error) {
	return loadFS(embedded, "embedded locales")
}

// LoadDir returns the catalog of the message files in dir (active.<tag>.toml;
// other files are ignored). The folder must hold active.it.toml; a language
// whose file is absent is simply not offered (Languages, Match) and its
// messages come from Italian. Point it at a full copy of locales/ (or at the
// repository's locales/ itself) to try edits without rebuilding.
func LoadDir(dir string) (*Catalog, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("locales: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("locales: %s is not a folder", dir)
	}
	return loadFS(os.DirFS(dir), dir)
}

// LoadFromEnv returns LoadDir(os.Getenv(DirEnv)) when DirEnv is set and not
// empty, and Load() otherwise.
func LoadFromEnv() (*Catalog, error) {
	if dir := strings.TrimSpace(os.Getenv(DirEnv)); dir != "" {
		return LoadDir(dir)
	}
	return Load()
}

func loadFS(fsys fs.FS, origin string) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("locales: reading %s: %w", origin, err)
	}
	unmarshal := map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal}
	files := map[string]*i18n.MessageFile{}
	for _, e := range entries {
		m := filePattern.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			continue
		}
		name, tag := e.Name(), m[1]
		if _, ok := lookupLanguage(tag); !ok {
			return nil, fmt.Errorf("locales: %s/%s: %q is not a supported language tag; "+
				"add the language to the list in languages.go, or rename the file to "+
				"active.<tag>.toml with a tag from that list", origin, name, tag)
		}
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("locales: %s/%s: %w", origin, name, err)
		}
		mf, err := i18n.ParseMessageFileBytes(buf, name, unmarshal)
		if err != nil {
			return nil, fmt.Errorf("locales: %s/%s: %w", origin, name, err)
		}
		if err := checkFile(mf); err != nil {
			return nil, fmt.Errorf("locales: %s/%s: %w", origin, name, err)
		}
		files[tag] = mf
	}
	if files[SourceLanguage] == nil {
		return nil, fmt.Errorf("locales: %s has no active.%s.toml, the source file", origin, SourceLanguage)
	}

	c := &Catalog{
		bundle:     i18n.NewBundle(language.Make(SourceLanguage)),
		localizers: map[string]*i18n.Localizer{},
		messages:   map[string]map[string]*i18n.Message{},
	}
	for _, l := range supported {
		mf := files[l.Tag]
		if mf == nil {
			continue
		}
		tag := language.Make(l.Tag)
		if err := c.bundle.AddMessages(tag, mf.Messages...); err != nil {
			return nil, fmt.Errorf("locales: %s/%s: %w", origin, mf.Path, err)
		}
		byID := make(map[string]*i18n.Message, len(mf.Messages))
		for _, msg := range mf.Messages {
			byID[msg.ID] = msg
		}
		c.messages[l.Tag] = byID
		c.languages = append(c.languages, l)
		c.tags = append(c.tags, tag)
		c.localizers[l.Tag] = i18n.NewLocalizer(c.bundle, l.Tag)
	}
	c.matcher = language.NewMatcher(c.tags)
	return c, nil
}

// checkFile rejects what would otherwise fail only when a person reads the
// message: duplicate ids and template syntax errors.
func checkFile(mf *i18n.MessageFile) error {
	seen := map[string]bool{}
	for _, m := range mf.Messages {
		if m.ID == "" {
			return errors.New("a message has an empty id")
		}
		if seen[m.ID] {
			return fmt.Errorf("message %q is defined twice", m.ID)
		}
		seen[m.ID] = true
		for form, src := range messageForms(m) {
			left, right := m.LeftDelim, m.RightDelim
			if left == "" {
				left = "{{"
			}
			if right == "" {
				right = "}}"
			}
			if _, err := template.New(m.ID).Delims(left, right).Parse(src); err != nil {
				return fmt.Errorf("message %q (%s): %w", m.ID, form, err)
			}
		}
	}
	return nil
}

// messageForms returns the non-empty plural forms of m by CLDR category name.
func messageForms(m *i18n.Message) map[string]string {
	forms := map[string]string{}
	for _, f := range []struct{ name, src string }{
		{"zero", m.Zero}, {"one", m.One}, {"two", m.Two},
		{"few", m.Few}, {"many", m.Many}, {"other", m.Other},
	} {
		if f.src != "" {
			forms[f.name] = f.src
		}
	}
	return forms
}

// Text returns message id in language lang, filled with data ({{.Name}} in
// the message reads data["Name"]). It falls back to Italian, then to "[id]";
// it never panics. Pass every placeholder the message uses: a missing one
// prints as "<no value>".
func (c *Catalog) Text(lang, id string, data map[string]any) string {
	return c.localize(lang, id, nil, data)
}

// Plural returns the plural message id in language lang for count, choosing
// the CLDR plural form of that language (one, few, many, …). The count is
// available to the message as {{.Count}} (it overrides a "Count" in data).
// Fallback as for Text.
func (c *Catalog) Plural(lang, id string, count int, data map[string]any) string {
	d := make(map[string]any, len(data)+1)
	for k, v := range data {
		d[k] = v
	}
	d["Count"] = count
	return c.localize(lang, id, count, d)
}

func (c *Catalog) localize(lang, id string, count any, data map[string]any) string {
	if c == nil {
		return "[" + id + "]"
	}
	if data == nil {
		data = map[string]any{}
	}
	for _, tag := range c.chain(lang) {
		if !c.has(tag, id) {
			continue
		}
		s, err := c.localizers[tag].Localize(&i18n.LocalizeConfig{
			MessageID:    id,
			TemplateData: data,
			PluralCount:  count,
		})
		var notFound *i18n.MessageNotFoundErr
		if errors.As(err, &notFound) || s == "" {
			continue
		}
		// Any other error with a text is a plural form missing in this
		// language: go-i18n then used the language's "other" form, which
		// reads better than switching language.
		return s
	}
	return "[" + id + "]"
}

// chain returns the languages to try, in order: the resolved language, then
// Italian.
func (c *Catalog) chain(lang string) []string {
	first := c.Resolve(lang)
	if first == SourceLanguage {
		return []string{SourceLanguage}
	}
	return []string{first, SourceLanguage}
}

// has reports whether language tag has message id with some text.
// Has reports whether the language's own file has the message (not through
// the fallback): flow validation uses it to find missing translations.
func (c *Catalog) Has(tag, id string) bool { return c.has(tag, id) }

// IDs lists the message ids of the source language, sorted.
func (c *Catalog) IDs() []string {
	out := make([]string, 0, len(c.messages[SourceLanguage]))
	for id := range c.messages[SourceLanguage] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// LanguageTags lists the loaded languages' tags, Italian first.
func (c *Catalog) LanguageTags() []string {
	out := make([]string, len(c.languages))
	for i, l := range c.languages {
		out[i] = l.Tag
	}
	return out
}

func (c *Catalog) has(tag, id string) bool {
	m := c.messages[tag][id]
	return m != nil && len(messageForms(m)) > 0
}

// Resolve returns the loaded language that Text uses for lang: lang itself
// if it is exactly a loaded tag, else the result of Match, else Italian.
func (c *Catalog) Resolve(lang string) string {
	if c == nil {
		return SourceLanguage
	}
	if _, ok := c.messages[lang]; ok {
		return lang
	}
	if tag, ok := c.Match(lang); ok {
		return tag
	}
	return SourceLanguage
}

// Languages returns the loaded languages in a stable order: Italian first,
// English second, then the others (the order of the language picker). The
// slice is a copy.
func (c *Catalog) Languages() []Language {
	if c == nil {
		return nil
	}
	return append([]Language(nil), c.languages...)
}

// Match maps a Telegram language_code (an IETF tag such as "en", "en-US",
// "zh-hans", "ar-EG") to a loaded language, using
// golang.org/x/text/language's matcher. It is deliberately strict, because
// guessing a language the person cannot read is worse than asking: the
// caller shows the language list when ok is false.
//
// A match is accepted only if
//   - the matcher's confidence is language.High or language.Exact (Low means
//     "some readers could cope", e.g. zh-Hant → zh, which we do not assume), and
//   - it is the same language: CLDR also rates some different languages
//     as High ("speakers usually understand": uz → ru, be → ru, ps → en,
//     gl → es, wo → fr, ckb → ar), and those are refused too.
//
// So "en-US" → en, "ar-EG" → ar, "tl" → fil (Tagalog and Filipino are one
// language), "zh-Hans"/"zh-CN"/"zh-SG" → zh, "fa-AF" and Dari "prs" → fa
// (Dari is the Persian of Afghanistan: CLDR keeps it a separate language, so
// it is mapped to fa-AF before matching), "ps-AF" → ps, while Traditional
// Chinese ("zh-Hant", "zh-TW", "zh-HK") is not matched (Simplified text is
// readable but foreign to those readers: they choose from the list), nor
// "uz-Cyrl", "hi", "pt", "pa-Arab" (Shahmukhi Punjabi) or "".
// Underscores are accepted as separators ("en_US").
func (c *Catalog) Match(telegramLanguageCode string) (tag string, ok bool) {
	code := strings.ReplaceAll(strings.TrimSpace(telegramLanguageCode), "_", "-")
	if code == "" || c == nil || c.matcher == nil {
		return "", false
	}
	want, err := language.Parse(code)
	if err != nil {
		return "", false
	}
	if alias, ok := sameLanguage[baseOf(want)]; ok {
		want = alias
	}
	_, i, conf := c.matcher.Match(want)
	if conf < language.High || i < 0 || i >= len(c.tags) {
		return "", false
	}
	wantBase, _ := want.Base()
	gotBase, _ := c.tags[i].Base()
	if wantBase != gotBase {
		return "", false
	}
	return c.languages[i].Tag, true
}

// sameLanguage maps a language code that CLDR treats as its own language to
// the tag of the same language that we have a file for. Dari ("prs") is
// Persian as written in Afghanistan.
var sameLanguage = map[string]language.Tag{
	"prs": language.MustParse("fa-AF"),
}

func baseOf(t language.Tag) string {
	b, _ := t.Base()
	return b.String()
}

// IsRTL reports whether the language that Text uses for lang (see Resolve) is
// written right to left: Arabic, Urdu, Persian and Pashto.
func (c *Catalog) IsRTL(lang string) bool {
	l, ok := lookupLanguage(c.Resolve(lang))
	return ok && l.RTL
}

// Isolate prepares a left-to-right fragment (a phone number, a URL, an
// e-mail address, an Italian proper noun such as "Via Roma 12" or "CPIA di
// Frascati", a number with units, a Latin-script name) for insertion into a
// message in language lang. For a right-to-left language it returns s wrapped
// in U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE, so the
// bidirectional algorithm lays the fragment out on its own (its direction
// taken from its first strong character) without reordering the text around
// it; for any other language, or an empty s, it returns s unchanged.
//
//	c.Text("ar", "office.address", map[string]any{"Phone": c.Isolate("ar", "+39 06 1234567")})
func (c *Catalog) Isolate(lang, s string) string {
	if s == "" || !c.IsRTL(lang) {
		return s
	}
	return firstStrongIsolate + s + popDirectionalIsolate
}
