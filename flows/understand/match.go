// Package understand guesses what a typed message is about, for people who
// type rather than tap: with typos, in their own script, mixing in the
// Italian words of the offices they deal with ("permesso", "questura",
// "codice fiscale"). It is a keyword matcher without models or services:
// each language has a file of keywords per intent (keywords/<lang>.txt),
// and a message scores for an intent by the keywords found in it, exactly
// or with a typo.
//
// Match tries the person's language first, then Italian and English (which
// migrants mix in whatever they speak), then every other language (a
// person may write in a language other than the one chosen). Someone who
// writes about violence or an emergency is sent to urgent help even when
// the message also talks of other things.
//
// A keyword file has one intent a line, which may repeat, and # comments:
//
//	health: medico, medico di base, dottor*, visita^0.5
//	ordinary: stanca, notte
//
// A phrase matches consecutive words; a word ending in * is a stem
// ("dottor*": dottore, dottoressa); ^w weighs down (or up, up to 3) a
// keyword that says little alone; "ordinary:" lists everyday words that
// look like a keyword with a typo ("stanca", "stanza") and are never read
// as one. Case, accents and the usual Arabic-script variants do not count.
// Load reports a broken line as "file:line: message"; Validate reports a
// language or intent left without keywords.
package understand

import (
	"cmp"
	"slices"
	"strings"
)

// Match is one candidate intent for a message.
type Match struct {
	// Intent is an intent id (Permits, Health, ...).
	Intent string
	// Score grows with the keywords found: raw/(1+raw), in [0, 1), where
	// raw sums the weights of the keywords that matched (a phrase weighs
	// more than a word, an exact match more than a typo, the person's
	// language more than Italian and English, and those more than other
	// languages).
	Score float64
	// Matched lists the keywords that hit, best first, as "lang:keyword",
	// with a final "~" when not matched word for word (a typo, a stem, an
	// Arabic word with its article): for debugging and for tuning the
	// keyword files.
	Matched []string
}

// Tuning. Raw scores: one exact keyword word in the person's language is 1.
const (
	factorOwn      = 1.0 // the person's language
	factorFallback = 0.8 // Italian and English
	factorOther    = 0.5 // any other language
	// minRaw is the least raw score Match trusts: one generic word^0.5 in
	// Italian or English passes, one such word in an unrelated language not.
	minRaw = 0.3
	// marginRatio: the best intent must score this many times the second.
	marginRatio = 1.4
	// urgentRaw: urgent help at or above this raw score comes first,
	// whatever else the message says.
	urgentRaw = 0.5
	// exactish separates exact, stem and article-less Arabic matches from
	// typos.
	exactish = 0.8
)

// intentWeight lowers small talk, so that "ciao, mi serve un medico" is
// about health.
var intentWeight = map[string]float64{Greeting: 0.6, Thanks: 0.7}

// Matcher matches messages to intents. It is built by Load or LoadDir and
// safe for concurrent use.
type Matcher struct {
	words    []*kwToken                // every distinct keyword word, by id
	exact    map[string]int            // text → id of the plain (non-stem) word
	stems    []int                     // ids of stem words
	byLen    map[lenKey][]int          // ids of plain letter words by script and length, for typos
	byFirst  map[int][]*entry          // keywords by the id of their first word
	ordinary map[string]bool           // words never read as typos
	covered  map[string]map[string]int // lang → intent → number of keywords
	langs    map[string]bool           // languages with a file
}

func newMatcher(langs map[string]bool, entries []*entry) *Matcher {
	m := &Matcher{langs: langs, ordinary: map[string]bool{}, exact: map[string]int{}, byLen: map[lenKey][]int{}, byFirst: map[int][]*entry{}, covered: map[string]map[string]int{}}
	ids := map[string]int{}
	for _, e := range entries {
		if e.intent == ordinary {
			m.ordinary[e.words[0].text] = true
			continue
		}
		for i, w := range e.words {
			key := w.text
			if w.prefix {
				key += "*"
			}
			id, ok := ids[key]
			if !ok {
				id = len(m.words)
				ids[key] = id
				w.id = id
				m.words = append(m.words, w)
				switch {
				case w.prefix:
					m.stems = append(m.stems, id)
				default:
					m.exact[w.text] = id
					if !w.digit && !w.cjk {
						k := lenKey{scriptBlock(w.runes), len(w.runes)}
						m.byLen[k] = append(m.byLen[k], id)
					}
				}
			}
			e.words[i] = m.words[id]
		}
		m.byFirst[e.words[0].id] = append(m.byFirst[e.words[0].id], e)
		if m.covered[e.lang] == nil {
			m.covered[e.lang] = map[string]int{}
		}
		m.covered[e.lang][e.intent]++
	}
	return m
}

// Match returns the most likely intent of text, written by a person whose
// language is lang (a tag such as "ar" or "pt-BR"; an unknown one leaves
// Italian and English first). ok is false when nothing is confident: no
// keyword, too weak a score, or a second intent too close to the first.
// The best candidate is returned even then, for logging. A narrow intent
// (an expired permit) found with enough score wins over the topic it
// refines (permits); urgent help and a suicidal crisis come first.
func (m *Matcher) Match(lang, text string) (Match, bool) {
	r := m.Ranked(lang, text)
	if len(r) == 0 {
		return Match{}, false
	}
	if urgent(r[0].Intent) && raw(r[0].Score) >= urgentRaw {
		return r[0], true
	}
	r = narrowest(r)
	best := raw(r[0].Score)
	if best < minRaw-1e-9 {
		return r[0], false
	}
	// Small talk never blocks: "grazie, mi serve il medico" is about
	// health, "va bene grazie ciao" is thanks. Nor does the broad topic a
	// narrow intent refines.
	for _, c := range r[1:] {
		if c.Intent == Greeting || c.Intent == Thanks || slices.Contains(refines[r[0].Intent], c.Intent) {
			continue
		}
		if best < marginRatio*raw(c.Score)-1e-9 {
			return r[0], false
		}
		break
	}
	return r[0], true
}

// urgent reports whether an intent is urgent help (a suicidal crisis is):
// it comes first whatever else the message says.
func urgent(intent string) bool { return intent == UrgentHelp || intent == Crisis }

// refines maps a narrow intent to the broad topics it is part of: "my
// permit has expired" is about permits, but the answer it needs is the
// expired-permit one.
var refines = map[string][]string{
	PermitExpired:       {Permits},
	EUCitizens:          {Permits, Documents},
	TemporaryProtection: {Permits, LegalAid},
}

// narrowest puts first a narrow intent that refines the best candidate
// (when it scores at least minRaw), so that the more specific answer wins;
// otherwise it returns r as it is.
func narrowest(r []Match) []Match {
	for i, c := range r[1:] {
		if raw(c.Score) >= minRaw-1e-9 && slices.Contains(refines[c.Intent], r[0].Intent) {
			out := append([]Match{c}, r[:i+1]...)
			return append(out, r[i+2:]...)
		}
	}
	return r
}

// Understand is Match for callers that need only the intent id (it
// implements flows.Understander).
func (m *Matcher) Understand(lang, text string) (string, bool) {
	r, ok := m.Match(lang, text)
	return r.Intent, ok
}

// Ranked returns every intent that some keyword of text points to, best
// first: urgent help first when it scores enough, then by score.
func (m *Matcher) Ranked(lang, text string) []Match {
	toks := tokenize(normalize(text))
	if len(toks) == 0 {
		return nil
	}
	factors := langFactors(lang)
	scores := make([]map[int]float64, len(toks))
	for i := range toks {
		scores[i] = m.wordScores(&toks[i])
	}

	// The best occurrence of every keyword.
	type hit struct {
		e          *entry
		start, end int
		q, value   float64
	}
	best := map[*entry]hit{}
	for i := range toks {
		for id, q0 := range scores[i] {
			for _, e := range m.byFirst[id] {
				q, ok := q0, true
				for j := 1; j < len(e.words) && ok; j++ {
					if i+j >= len(toks) {
						ok = false
						break
					}
					qj := scores[i+j][e.words[j].id]
					ok = qj > 0
					q = min(q, qj)
				}
				// a typo counts only in the person's language, Italian
				// and English: in the other twelve, a word one letter
				// off some keyword is too often a word of its own
				if !ok || q <= exactish && factors(e.lang) < factorFallback {
					continue
				}
				h := hit{e: e, start: i, end: i + len(e.words), q: q}
				h.value = e.weight * q * factors(e.lang) * cmp.Or(intentWeight[e.intent], 1)
				if old, seen := best[e]; !seen || h.value > old.value {
					best[e] = h
				}
			}
		}
	}
	if len(best) == 0 {
		return nil
	}

	// An exact word beats a typo: a typo match is dropped when its words
	// are all matched exactly by keywords of other intents ("salute" is
	// health, not a misspelled French "salut").
	exactBy := make([][]string, len(toks)) // intents matching each word exactly
	for _, h := range best {
		if h.q > exactish {
			for i := h.start; i < h.end; i++ {
				exactBy[i] = append(exactBy[i], h.e.intent)
			}
		}
	}
	beaten := func(h hit) bool {
		for i := h.start; i < h.end; i++ {
			if !slices.ContainsFunc(exactBy[i], func(in string) bool { return in != h.e.intent }) {
				return false
			}
		}
		return true
	}
	// Keep the best keyword for each intent and stretch of text (the same
	// word in the Italian and the person's file counts once).
	type spanKey struct {
		intent     string
		start, end int
	}
	kept := map[spanKey]hit{}
	for _, h := range best {
		if h.q <= exactish && beaten(h) {
			continue
		}
		k := spanKey{h.e.intent, h.start, h.end}
		if old, ok := kept[k]; !ok || h.value > old.value {
			kept[k] = h
		}
	}

	byIntent := map[string][]hit{}
	for _, h := range kept {
		byIntent[h.e.intent] = append(byIntent[h.e.intent], h)
	}
	var out []Match
	for intent, hs := range byIntent {
		slices.SortFunc(hs, func(a, b hit) int {
			return cmp.Or(cmp.Compare(b.value, a.value), cmp.Compare(a.start, b.start),
				strings.Compare(a.e.lang, b.e.lang), strings.Compare(a.e.text, b.e.text))
		})
		sum := 0.0
		matched := make([]string, 0, len(hs))
		for _, h := range hs {
			sum += h.value
			label := h.e.lang + ":" + h.e.text
			if h.q < qualityExact {
				label += "~"
			}
			matched = append(matched, label)
		}
		out = append(out, Match{Intent: intent, Score: sum / (1 + sum), Matched: matched})
	}
	urgentFirst := func(x Match) bool { return urgent(x.Intent) && raw(x.Score) >= urgentRaw }
	slices.SortFunc(out, func(a, b Match) int {
		if ua, ub := urgentFirst(a), urgentFirst(b); ua != ub {
			if ua {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if urgent(a.Intent) != urgent(b.Intent) { // urgent help wins ties
			if urgent(a.Intent) {
				return -1
			}
			return 1
		}
		return cmp.Compare(slices.Index(intents, a.Intent), slices.Index(intents, b.Intent))
	})
	return out
}

// lenKey groups keyword words for typo matching: a typo keeps the script
// and changes the length by at most two.
type lenKey struct{ block, n int }

// scriptBlock tells scripts apart cheaply by the 256-character block of
// the first letter (Latin, with its extensions, is one).
func scriptBlock(rs []rune) int {
	if len(rs) == 0 || rs[0] < 0x300 {
		return 0
	}
	return int(rs[0] >> 8)
}

// raw inverts Score = raw/(1+raw).
func raw(score float64) float64 { return score / (1 - score) }

// factors returns the weight of each language's keywords for a person
// whose language is lang.
func langFactors(lang string) func(string) float64 {
	own := baseTag(lang)
	return func(l string) float64 {
		switch {
		case l == own:
			return factorOwn
		case l == "it" || l == "en":
			return factorFallback
		}
		return factorOther
	}
}

// baseTag reduces a language tag to the name of its keyword file: "pt-BR"
// → "pt", "tl" (Tagalog, as Telegram says) → "fil", "prs" (Dari) → "fa".
func baseTag(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	switch lang {
	case "tl":
		return "fil"
	case "prs": // Dari reads and writes Persian
		return "fa"
	}
	return lang
}

// wordScores returns how well one word of the text matches each keyword
// word it matches at all (by id). Arabic-script words are also tried
// without an attached article or conjunction.
func (m *Matcher) wordScores(t *token) map[int]float64 {
	out := map[int]float64{}
	m.scoreWord(t, 1, out)
	for _, v := range arabicVariants(*t) {
		m.scoreWord(&v, qualityPrefix, out)
	}
	return out
}

func (m *Matcher) scoreWord(t *token, factor float64, out map[int]float64) {
	add := func(id int, q float64) {
		if q *= factor; q > out[id] {
			out[id] = q
		}
	}
	if id, ok := m.exact[t.text]; ok {
		add(id, qualityExact)
	}
	if t.digit || t.cjk {
		return
	}
	if m.ordinary[t.text] {
		for _, id := range m.stems {
			if strings.HasPrefix(t.text, m.words[id].text) {
				add(id, qualityPrefix)
			}
		}
		return
	}
	for _, id := range m.stems {
		if q := wordMatch(t, m.words[id]); q > 0 {
			add(id, q)
		}
	}
	n := len(t.runes)
	for l := n - 2; l <= n+2; l++ {
		if min(l, n) < 4 {
			continue
		}
		for _, id := range m.byLen[lenKey{scriptBlock(t.runes), l}] {
			if _, done := out[id]; done {
				continue
			}
			if q := wordMatch(t, m.words[id]); q > 0 {
				add(id, q)
			}
		}
	}
}
