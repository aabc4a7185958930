package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/prils-lazio/presidio/internal/chat"
)

// MaxMessageLen is Telegram's limit for one text message, counted as
// Telegram counts: in UTF-16 code units.
const MaxMessageLen = 4096

// SplitText cuts text into parts of at most limit UTF-16 code units, for
// Telegram's message length limit. It cuts at the last paragraph break that
// keeps the part at least half full, else at a line break, else at a space,
// else between characters — never inside a UTF-8 sequence, a surrogate pair
// or before a combining mark. Whitespace at the cuts is dropped; no part is
// empty. Text within the limit comes back as one part, unchanged.
func SplitText(text string, limit int) []string {
	if limit < 8 {
		limit = 8
	}
	var parts []string
	rest := text
	for utf16Len(rest) > limit {
		hard := prefixWithin(rest, limit)
		cut, skip := bestCut(rest[:hard])
		if cut == 0 { // nothing but one over-long grapheme cluster: cut it
			cut, skip = hard, 0
		}
		if p := strings.TrimRightFunc(rest[:cut], unicode.IsSpace); p != "" {
			parts = append(parts, p)
		}
		rest = strings.TrimLeftFunc(rest[cut+skip:], unicode.IsSpace)
	}
	if strings.TrimSpace(rest) != "" || len(parts) == 0 {
		parts = append(parts, rest)
	}
	return parts
}

// bestCut picks where to cut inside s (s already fits): the returned cut is
// the end of the part and skip the separator length after it.
func bestCut(s string) (cut, skip int) {
	half := len(s) / 2
	if i := strings.LastIndex(s, "\n\n"); i >= half {
		return i, 2
	}
	if i := strings.LastIndexByte(s, '\n'); i >= half {
		return i, 1
	}
	if i := lastSpace(s); i > 0 {
		return i, 0
	}
	return safeRuneCut(s, len(s)), 0
}

func lastSpace(s string) int {
	for i := len(s); i > 0; {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
		if unicode.IsSpace(r) && i > 0 {
			return i
		}
	}
	return 0
}

// prefixWithin returns the byte length of the longest prefix of s whose
// UTF-16 length is at most limit, ending on a character boundary.
func prefixWithin(s string, limit int) int {
	units := 0
	for i, r := range s {
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > limit {
			return safeRuneCut(s, i)
		}
		units += n
	}
	return len(s)
}

// safeRuneCut moves a cut at byte i back so that it does not separate a
// character from the combining marks, joiners or variation selectors after it.
func safeRuneCut(s string, i int) int {
	for j := i; j > 0; {
		r, _ := utf8.DecodeRuneInString(s[j:])
		if j < len(s) && (unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == 0x200D || (r >= 0xFE00 && r <= 0xFE0F)) {
			_, size := utf8.DecodeLastRuneInString(s[:j])
			j -= size
			continue
		}
		if prev, _ := utf8.DecodeLastRuneInString(s[:j]); prev == 0x200D {
			_, size := utf8.DecodeLastRuneInString(s[:j])
			j -= size
			continue
		}
		return j
	}
	return i // one unbreakable cluster longer than the limit: cut anyway
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// entitiesWithin keeps the entities that lie wholly within the first n
// UTF-16 code units (the first part of a split text); the others would be
// refused by Telegram.
func entitiesWithin(es []chat.Entity, n int) []chat.Entity {
	var out []chat.Entity
	for _, e := range es {
		if e.Offset >= 0 && e.Offset+e.Length <= n {
			out = append(out, e)
		}
	}
	return out
}
