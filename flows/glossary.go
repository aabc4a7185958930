package flows

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// glossaryFlow is the flow of the glossary (flows/data/glossary.yaml) and
// the intent of a question such as "what is the Questura?".
const glossaryFlow = "glossary"

// glossaryTerm finds the glossary word a text names ("cos'è la Questura?"
// names the Questura) and returns the reference of its entry and the text
// without the word ("cos'è la ?"), so that the caller can check that the
// rest asks what it is. The words are the labels of the glossary menu's
// buttons (Italian office names such as "Questura" or "codice fiscale",
// which most people write in Latin letters whatever their language) and
// the other spellings an entry lists in params.also ("квестура",
// "الكويستورا", "税号"). A word matches whole words, case and accents
// aside (a Chinese one anywhere in the text); the longest wins.
func (e *Engine) glossaryTerm(text string) (ref, rest string, ok bool) {
	f := e.flows[glossaryFlow]
	if f == nil {
		return "", "", false
	}
	orig, keys := words(text), wordKeys(text)
	best := 0 // length of the best match, in runes
	for _, c := range f.Nodes[f.Start].Buttons {
		names := []string{c.Label}
		if n := f.Nodes[c.Goto]; n != nil && n.Params["also"] != "" {
			names = append(names, strings.Split(n.Params["also"], ",")...)
		}
		for _, name := range names {
			name = strings.TrimSpace(name)
			if l := utf8.RuneCountInString(name); l <= best || l == 0 {
				continue
			}
			if r, found := without(orig, keys, name); found {
				ref, rest, best = c.Goto, r, utf8.RuneCountInString(name)
			}
		}
	}
	if best == 0 {
		return "", "", false
	}
	if !strings.HasPrefix(ref, "@") {
		ref = "@" + glossaryFlow + ":" + ref
	}
	return ref, rest, true
}

// without finds name in a text split into words (orig, and keys for
// comparing) and returns the text without it.
func without(orig, keys []string, name string) (string, bool) {
	term, han := glossaryName(name)
	if han {
		text := strings.Join(orig, " ")
		if !strings.Contains(text, name) {
			return "", false
		}
		return strings.Replace(text, name, " ", 1), true
	}
	for i := 0; len(term) > 0 && i+len(term) <= len(keys); i++ {
		if slices.Equal(keys[i:i+len(term)], term) {
			return strings.Join(slices.Concat(orig[:i], orig[i+len(term):]), " "), true
		}
	}
	return "", false
}

// glossaryNames remembers each glossary name's word keys, and whether it
// is Chinese (matched as a substring): every text a person writes is
// compared with every name, and the names are few and fixed.
var glossaryNames sync.Map // name → glossaryKey

type glossaryKey struct {
	keys []string
	han  bool
}

func glossaryName(name string) (keys []string, han bool) {
	if k, ok := glossaryNames.Load(name); ok {
		return k.(glossaryKey).keys, k.(glossaryKey).han
	}
	k := glossaryKey{keys: wordKeys(name), han: strings.ContainsFunc(name, func(r rune) bool { return unicode.Is(unicode.Han, r) })}
	glossaryNames.Store(name, k)
	return k.keys, k.han
}

// words splits a text into its words (letters, digits and the marks of
// scripts such as Bengali), also at apostrophes ("l'anagrafe" gives "l",
// "anagrafe") and where Chinese meets another script ("STP是什么" gives
// "STP", "是什么").
func words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) }) {
		start, prev := 0, false
		for i, r := range w {
			han := unicode.Is(unicode.Han, r)
			if i > 0 && han != prev {
				out, start = append(out, w[start:i]), i
			}
			prev = han
		}
		out = append(out, w[start:])
	}
	return out
}

// wordKeys is words in lower case without accents on Latin letters, for
// comparing.
func wordKeys(s string) []string {
	ws := words(s)
	for i, w := range ws {
		ws[i] = foldAccents(strings.ToLower(w))
	}
	return ws
}

// foldAccents drops the accents of Latin letters ("è" → "e"), so that a
// word typed without them matches.
func foldAccents(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case strings.ContainsRune("àáâäã", r):
			r = 'a'
		case strings.ContainsRune("èéêë", r):
			r = 'e'
		case strings.ContainsRune("ìíîï", r):
			r = 'i'
		case strings.ContainsRune("òóôöõ", r):
			r = 'o'
		case strings.ContainsRune("ùúûü", r):
			r = 'u'
		}
		b.WriteRune(r)
	}
	return b.String()
}
