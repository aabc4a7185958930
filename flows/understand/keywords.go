package understand

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Intent ids: the topics Presidio answers, then the conversational ones.
const (
	PermitExpired       = "permit-expired"       // the permit has expired (refines permits)
	EUCitizens          = "eu-citizens"          // citizens of EU countries: no permit (refines permits)
	TemporaryProtection = "temporary-protection" // people displaced from Ukraine (refines permits)
	Permits             = "permits"              // permesso di soggiorno, questura, renewal
	Documents           = "documents"            // codice fiscale, identity card, residence, passport
	Health              = "health"               // doctor, hospital, tessera sanitaria, STP/ENI
	ItalianCourses      = "italian-courses"      // learning Italian, CPIA
	Work                = "work"                 // jobs, contracts, pay, centro per l'impiego
	Housing             = "housing"              // rent, a room, eviction, a place to sleep
	School              = "school"               // children's school and nursery
	LegalAid            = "legal-aid"            // lawyer, asylum, protection, appeal
	SocialServices      = "social-services"      // social worker, benefits, food, clothes
	FamilyReunification = "family-reunification" // ricongiungimento familiare, nulla osta
	UrgentHelp          = "urgent-help"          // emergency, violence, trafficking, danger
	Crisis              = "crisis"               // thoughts of suicide (urgent, like urgent-help)
	Human               = "human"                // wants to talk to a person/operator
	ServicesNearMe      = "services-near-me"     // offices and help points nearby
	Menu                = "menu"                 // the main menu, help, start again
	Greeting            = "greeting"             // hello
	Thanks              = "thanks"               // thank you
	Language            = "language"             // wants to change language
	Glossary            = "glossary"             // "what is …?", "what does … mean?"
)

var intents = []string{
	PermitExpired, EUCitizens, TemporaryProtection, Permits, Documents, Health, ItalianCourses, Work, Housing, School, LegalAid,
	SocialServices, FamilyReunification, UrgentHelp, Crisis,
	Human, ServicesNearMe, Menu, Greeting, Thanks, Language, Glossary,
}

var languages = []string{"it", "en", "fr", "es", "ar", "uk", "ru", "ro", "sq", "bn", "ur", "pa", "zh", "fil", "fa", "ps"}

// Intents returns every intent id, topics first.
func Intents() []string { return slices.Clone(intents) }

// Languages returns the language tags that have a keyword file, Italian
// and English (always tried) first.
func Languages() []string { return slices.Clone(languages) }

//go:embed keywords/*.txt
var embedded embed.FS

// Load reads the keyword files embedded in the program.
func Load() (*Matcher, error) {
	return load(embedded, "keywords", "keywords")
}

// LoadDir reads the keyword files <lang>.txt of dir, to try edits without
// rebuilding. Errors name the file and line ("dir/it.txt:12: ...").
func LoadDir(dir string) (*Matcher, error) {
	return load(os.DirFS(dir), ".", dir)
}

func load(fsys fs.FS, dir, shown string) (*Matcher, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no keyword files (<lang>.txt)", shown)
	}
	var entries []*entry
	var errs []error
	langs := map[string]bool{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		base := path.Base(name)
		lang := strings.TrimSuffix(base, ".txt")
		langs[lang] = true
		es, err := parseFile(filepath.Join(shown, base), lang, string(data))
		errs = append(errs, err)
		entries = append(entries, es...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return newMatcher(langs, entries), nil
}

// kwToken is one word of a keyword.
type kwToken struct {
	token
	prefix bool // written with a final *: a stem
	id     int  // index in Matcher.words
}

// entry is one keyword of one intent in one language.
type entry struct {
	lang, intent string
	text         string // as written, for Match.Matched
	key          string // normalized, for duplicates
	words        []*kwToken
	weight       float64
}

// ordinary is the pseudo-intent of common words that look like a keyword
// with a typo ("notte" and "botte", "stare" and "stage"): a message word
// equal to one of them is matched only exactly, never as a typo.
const ordinary = "ordinary"

// parseFile reads one keyword file. The format, one intent a line:
//
//	# comment
//	intent: keyword, a phrase of words, stem*, generic word^0.5
//	ordinary: word, word
//
// An intent may have several lines. A word ending in * is a stem (matches
// every word it starts); ^w after a keyword multiplies its weight (0 < w ≤ 3),
// for words that say little alone. "ordinary:" lists everyday words that
// are not typos of a keyword. Keywords are matched after normalization,
// so "perché" and "perche" are the same keyword: writing both is a
// duplicate.
func parseFile(name, lang, data string) ([]*entry, error) {
	var out []*entry
	var errs []error
	seen := map[string]int{}
	fail := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}
	for i, line := range strings.Split(data, "\n") {
		n := i + 1
		if c := strings.IndexByte(line, '#'); c >= 0 {
			line = line[:c]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		intent, list, ok := strings.Cut(line, ":")
		intent = strings.TrimSpace(intent)
		if !ok {
			fail(n, "want \"intent: keyword, keyword, ...\"")
			continue
		}
		if intent != ordinary && !slices.Contains(intents, intent) {
			fail(n, "unknown intent %q", intent)
			continue
		}
		for _, raw := range strings.Split(list, ",") {
			raw = strings.TrimSpace(raw)
			e, err := parseKeyword(raw)
			if err != nil {
				fail(n, "%v", err)
				continue
			}
			if intent == ordinary && (len(e.words) != 1 || e.words[0].prefix || strings.Contains(raw, "^")) {
				fail(n, "ordinary %q: want single words, without * or ^", raw)
				continue
			}
			if prev, dup := seen[e.key]; dup {
				fail(n, "duplicate keyword %q (also on line %d)", raw, prev)
				continue
			}
			seen[e.key] = n
			e.lang, e.intent = lang, intent
			out = append(out, e)
		}
	}
	return out, errors.Join(errs...)
}

// parseKeyword reads "words of a keyword*^0.5".
func parseKeyword(s string) (*entry, error) {
	text, mult := s, 1.0
	if c := strings.LastIndexByte(s, '^'); c >= 0 {
		f, err := strconv.ParseFloat(strings.TrimSpace(s[c+1:]), 64)
		if err != nil || f <= 0 || f > 3 {
			return nil, fmt.Errorf("bad weight in %q: want keyword^w with 0 < w ≤ 3", s)
		}
		text, mult = strings.TrimSpace(s[:c]), f
	}
	if text == "" {
		return nil, errors.New("empty keyword")
	}
	e := &entry{text: text}
	var keys []string
	units := 0.0
	for _, w := range strings.Fields(text) {
		prefix := strings.HasSuffix(w, "*")
		w = strings.TrimSuffix(w, "*")
		if strings.Contains(w, "*") {
			return nil, fmt.Errorf("keyword %q: * goes only at the end of a word", text)
		}
		toks := tokenize(normalize(w))
		for j, t := range toks {
			k := &kwToken{token: t}
			if j == len(toks)-1 && prefix {
				if t.digit || t.cjk {
					return nil, fmt.Errorf("keyword %q: a stem* must end in letters", text)
				}
				k.prefix = true
			}
			e.words = append(e.words, k)
			key := t.text
			if k.prefix {
				key += "*"
			}
			keys = append(keys, key)
			if t.cjk {
				units += 0.5
			} else {
				units++
			}
		}
	}
	if len(e.words) == 0 {
		return nil, fmt.Errorf("empty keyword %q (no letters or digits)", text)
	}
	e.key = strings.Join(keys, " ")
	// Longer keywords say more: a word counts 1, a phrase half a point more
	// for each further word (two Chinese characters make a word).
	e.weight = (1 + 0.5*(units-1)) * mult
	return e, nil
}

// Validate reports what the keyword files lack: a language of Languages
// without a file, a file for a language not in Languages, and a language
// with no keyword for some intent (every language must cover every
// intent, so that a person is understood whatever they ask). Load's files
// pass; run it after LoadDir to check edits.
func (m *Matcher) Validate() error {
	var errs []error
	for _, l := range languages {
		if !m.langs[l] {
			errs = append(errs, fmt.Errorf("language %q has no keyword file %s.txt", l, l))
		}
	}
	for _, l := range slices.Sorted(maps.Keys(m.langs)) {
		if !slices.Contains(languages, l) {
			errs = append(errs, fmt.Errorf("%s.txt: unknown language %q (want one of %s)", l, l, strings.Join(languages, ", ")))
			continue
		}
		for _, in := range intents {
			if m.covered[l][in] == 0 {
				errs = append(errs, fmt.Errorf("%s.txt: no keyword for intent %q", l, in))
			}
		}
	}
	return errors.Join(errs...)
}
