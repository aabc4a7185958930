package flows

import (
	"slices"
	"strings"
	"unicode"
)

// glossaryFlow is the flow of the glossary (flows/data/glossary.yaml) and
// the intent of a question such as "what is the Questura?".
const glossaryFlow = "glossary"

// glossaryTerm finds the glossary word a text names ("cos'è la Questura?"
// names the Questura) and returns the reference of its entry and the text
// without the word ("cos'è la ?"), so that the caller can check that the
// rest asks what it is. The words are the labels of the glossary menu's
// buttons (Italian office names such as "Questura" or "codice fiscale",
// which people write in Latin letters whatever their language); a label
// matches whole words, case and accents aside; the longest label wins.
func (e *Engine) glossaryTerm(text string) (ref, rest string, ok bool) {
	f := e.flows[glossaryFlow]
	if f == nil {
		return "", "", false
	}
	orig, keys := words(text), wordKeys(text)
	at, n := -1, 0
	for _, c := range f.Nodes[f.Start].Buttons {
		term := wordKeys(c.Label)
		if len(term) == 0 || len(term) <= n {
			continue
		}
		for i := 0; i+len(term) <= len(keys); i++ {
			if slices.Equal(keys[i:i+len(term)], term) {
				ref, at, n = c.Goto, i, len(term)
				break
			}
		}
	}
	if at < 0 {
		return "", "", false
	}
	if !strings.HasPrefix(ref, "@") {
		ref = "@" + glossaryFlow + ":" + ref
	}
	return ref, strings.Join(slices.Concat(orig[:at], orig[at+n:]), " "), true
}

// words splits a text into its words (letters, digits and the marks of
// scripts such as Bengali), also at apostrophes: "l'anagrafe" gives "l",
// "anagrafe".
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) })
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
