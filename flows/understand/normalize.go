package understand

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// normalize makes text and keywords comparable: Unicode NFKC, case folding,
// no diacritics on Latin letters ("perché" → "perche", "santé" → "sante"),
// Arabic without tashkeel and tatweel and with one form of alef, ya, ta
// marbuta, heh, kaf and gaf (Arabic, Urdu, Persian and Pashto keyboards differ),
// Russian ё → е, all decimal digits as ASCII (٣ → 3), no zero-width
// characters, and letters repeated more than twice cut to two ("helppp" →
// "helpp"). Bengali and Gurmukhi are only composed (NFC).
func normalize(s string) string {
	// (A transform.Chain of these would allocate 4 KB buffers per link on
	// every call: one string at a time is cheaper for short messages.)
	d := norm.NFD.String(cases.Fold().String(norm.NFKC.String(s)))
	var b strings.Builder
	b.Grow(len(d))
	latin := false // the last base letter was Latin: drop its marks
	for _, r := range d {
		if isInvisible(r) {
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			if latin || isArabicMark(r) {
				continue
			}
			b.WriteRune(r)
			continue
		}
		latin = unicode.Is(unicode.Latin, r)
		if m, ok := runeMap[r]; ok {
			if m == 0 {
				continue
			}
			r = m
		} else if v, ok := digitValue(r); ok {
			r = '0' + v
		}
		b.WriteRune(r)
	}
	return collapseRepeats(strings.ReplaceAll(norm.NFC.String(b.String()), "ё", "е"))
}

// isInvisible reports zero-width and formatting characters that change
// nothing a reader sees (ZWJ/ZWNJ in Bengali, Urdu; BOM; soft hyphen).
func isInvisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e', '\u200f':
		return true
	}
	return false
}

// isArabicMark reports Arabic vowel signs (tashkeel), hamza above and below
// (so that after NFD أ إ آ ؤ ئ lose it), superscript alef and Quranic marks.
func isArabicMark(r rune) bool {
	switch {
	case r >= 0x0610 && r <= 0x061A, r >= 0x064B && r <= 0x065F, r == 0x0670,
		r >= 0x06D6 && r <= 0x06DC, r >= 0x06DF && r <= 0x06E8, r >= 0x06EA && r <= 0x06ED:
		return true
	}
	return false
}

// runeMap unifies letters that people type interchangeably; 0 drops.
var runeMap = map[rune]rune{
	'\u0640': 0,    // tatweel
	'ٱ':      'ا',  // alef wasla
	'ى':      'ي',  // alef maksura
	'ی':      'ي',  // Farsi/Urdu yeh
	'ے':      'ي',  // Urdu yeh barree
	'ې':      'ي',  // Pashto yeh with two dots below
	'ۍ':      'ي',  // Pashto feminine yeh
	'ة':      'ه',  // ta marbuta
	'ۃ':      'ه',  // Urdu ta marbuta goal
	'ہ':      'ه',  // Urdu heh goal
	'ھ':      'ه',  // Urdu heh doachashmee
	'ە':      'ه',  // ae
	'ك':      'ک',  // Arabic kaf → keheh (Urdu, Persian)
	'ګ':      'گ',  // Pashto gaf with ring → Persian/Urdu gaf
	'ʼ':      '\'', // modifier letter apostrophe (Ukrainian "бʼє"): a letter, so it would join words
	'ʻ':      '\'', // turned comma, the same
}

// digitZeros are the zeros of the decimal digit blocks people type besides
// ASCII: Arabic-Indic, Extended Arabic-Indic (Urdu, Persian), Devanagari,
// Bengali and Gurmukhi.
var digitZeros = []rune{0x0660, 0x06F0, 0x0966, 0x09E6, 0x0A66}

func digitValue(r rune) (rune, bool) {
	for _, z := range digitZeros {
		if r >= z && r <= z+9 {
			return r - z, true
		}
	}
	return 0, false
}

// collapseRepeats cuts runs of the same letter longer than two to two
// ("aiutooo" → "aiutoo"); digits are left alone (1111 is a number).
func collapseRepeats(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	run := 0
	for _, r := range s {
		if r == prev && unicode.IsLetter(r) {
			run++
		} else {
			prev, run = r, 1
		}
		if run <= 2 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// token is one word of normalized text or of a keyword.
type token struct {
	text     string
	runes    []rune
	squeezed string // text with doubled letters written once ("dotore" for "dottore")
	digit    bool   // all digits: matches only exactly
	cjk      bool   // one Han or kana character
}

// isCJK reports characters of scripts written without spaces, matched one
// character at a time (so a keyword is a substring of the text).
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// tokenize splits normalized text into words: runs of letters (with their
// combining marks, which Bengali and Gurmukhi vowels are), runs of digits,
// and single CJK characters. Everything else separates.
func tokenize(s string) []token {
	var toks []token
	var cur []rune
	curDigit := false
	flush := func() {
		if len(cur) > 0 {
			toks = append(toks, token{text: string(cur), runes: cur, squeezed: squeeze(cur), digit: curDigit})
			cur = nil
		}
	}
	for _, r := range s {
		switch {
		case isCJK(r):
			flush()
			toks = append(toks, token{text: string(r), runes: []rune{r}, cjk: true})
		case unicode.IsLetter(r) || unicode.IsMark(r):
			if curDigit {
				flush()
			}
			curDigit = false
			cur = append(cur, r)
		case unicode.IsDigit(r):
			if !curDigit {
				flush()
			}
			curDigit = true
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return toks
}

// isArabicScript reports a token written in Arabic script (Arabic, Urdu,
// Shahmukhi Punjabi).
func isArabicScript(rs []rune) bool {
	return len(rs) > 0 && unicode.Is(unicode.Arabic, rs[0])
}

// arabicClitics are prefixes that Arabic writes attached to the next word:
// the article and the conjunctions and prepositions before it, longest
// first. "والإقامة" is tried as "اقامه" too.
var arabicClitics = []string{"وال", "فال", "بال", "كال", "کال", "لل", "ال", "و", "ف", "ب", "ل"}

// arabicVariants returns the token without an attached article or
// conjunction, if it has one and enough letters remain.
func arabicVariants(t token) []token {
	if !isArabicScript(t.runes) {
		return nil
	}
	var out []token
	for _, c := range arabicClitics {
		rest, ok := strings.CutPrefix(t.text, c)
		if !ok {
			continue
		}
		rr := []rune(rest)
		minRest := 3
		if len([]rune(c)) > 1 {
			minRest = 2
		}
		if len(rr) >= minRest {
			out = append(out, token{text: rest, runes: rr, squeezed: squeeze(rr)})
		}
	}
	return out
}
