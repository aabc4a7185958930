package flows

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/prils-lazio/presidio/internal/chat"
)

// validate checks an answer to a question of the given input kind and
// returns the value to keep. A bad answer gets the question's kind re-ask.
func validate(kind string, in chat.Incoming) (string, bool) {
	switch kind {
	case "location":
		if in.Location == nil {
			return "", false
		}
		return fmt.Sprintf("%.6f,%.6f", in.Location.Latitude, in.Location.Longitude), true
	case "contact":
		if in.Contact == "" {
			return "", false
		}
		return normalizePhone(in.Contact)
	case "phone":
		if in.Contact != "" {
			return normalizePhone(in.Contact)
		}
		if in.Kind != chat.KindText {
			return "", false
		}
		return normalizePhone(in.Text)
	}
	if in.Kind != chat.KindText {
		return "", false
	}
	text := strings.TrimSpace(in.Text)
	switch kind {
	case "name":
		return validName(text)
	case "number":
		n, err := strconv.Atoi(text)
		if err != nil || n < 0 {
			return "", false
		}
		return strconv.Itoa(n), true
	default: // text
		if text == "" || utf8.RuneCountInString(text) > 1000 || strings.HasPrefix(text, "/") {
			return "", false
		}
		return text, true
	}
}

// normalizePhone accepts digits with spaces, dots, dashes, brackets and a
// leading + (or 00), 8 to 15 digits in all (E.164), and returns "+digits"
// when international or the digits as typed otherwise (Italian numbers).
func normalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	if strings.HasPrefix(s, "00") {
		plus, s = true, s[2:]
	}
	var digits strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case unicode.Is(unicode.Nd, r): // Arabic-Indic, Bengali… digits
			digits.WriteRune('0' + rune(unicodeDigit(r)))
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/' || (r == '+' && i == 0):
		default:
			return "", false
		}
	}
	d := digits.String()
	if len(d) < 8 || len(d) > 15 {
		return "", false
	}
	if plus {
		return "+" + d, true
	}
	if strings.HasPrefix(d, "3") || strings.HasPrefix(d, "0") { // Italian mobile or landline
		return "+39" + d, true
	}
	return "", false
}

func unicodeDigit(r rune) int {
	for base := r; base >= r-9; base-- {
		if !unicode.Is(unicode.Nd, base-1) {
			return int(r - base)
		}
	}
	return 0
}

// validName accepts 2 to 60 characters of letters (any script), spaces,
// apostrophes, hyphens and dots, with at least two letters and no digits
// or emoji.
func validName(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			if unicode.IsLetter(r) {
				letters++
			}
		case r == ' ' || r == '\'' || r == '’' || r == '-' || r == '.':
		default:
			return "", false
		}
	}
	if letters < 2 || utf8.RuneCountInString(s) > 60 {
		return "", false
	}
	return s, true
}
