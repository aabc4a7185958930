package courses

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/csvrows"
)

// The forms a school secretary writes in a spreadsheet, read by the
// importer: weekdays in Italian or English, short or long; dates as
// dd/mm/yyyy or ISO (or an Excel date); times 18:00 or 18.00 (or an Excel
// time); sites by ID or by name.

// dayNames maps every accepted spelling (folded: lower case, no accents)
// to its day.
var dayNames = func() map[string]time.Weekday {
	m := map[string]time.Weekday{}
	add := func(d time.Weekday, names ...string) {
		for _, n := range names {
			m[n] = d
		}
	}
	add(time.Monday, "mo", "mon", "monday", "lu", "lun", "lunedi")
	add(time.Tuesday, "tu", "tue", "tues", "tuesday", "ma", "mar", "martedi")
	add(time.Wednesday, "we", "wed", "wednesday", "me", "mer", "mercoledi")
	add(time.Thursday, "th", "thu", "thur", "thurs", "thursday", "gi", "gio", "giovedi")
	add(time.Friday, "fr", "fri", "friday", "ve", "ven", "venerdi")
	add(time.Saturday, "sa", "sat", "saturday", "sab", "sabato")
	add(time.Sunday, "su", "sun", "sunday", "do", "dom", "domenica")
	return m
}()

// dayOf reads one day name in any case, with or without accents and a
// trailing dot ("Lun.", "lunedì", "MON", "Mo").
func dayOf(name string) (time.Weekday, bool) {
	d, ok := dayNames[strings.TrimSuffix(csvrows.Fold(name), ".")]
	return d, ok
}

// weekdayTokens splits a weekdays cell; "e", "and" and "&" are separators
// too ("lunedì e mercoledì").
func weekdayTokens(s string) []string {
	var out []string
	for f := range strings.FieldsFuncSeq(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '/' || r == '+' || r == '&'
	}) {
		if l := strings.ToLower(f); l != "e" && l != "and" {
			out = append(out, f)
		}
	}
	return out
}

// daysIn reads one token: a day or a range of days "lun-ven", "Mo-Fr".
func daysIn(tok string) ([]time.Weekday, bool) {
	if a, b, isRange := strings.Cut(tok, "-"); isRange {
		from, ok1 := dayOf(a)
		to, ok2 := dayOf(b)
		if !ok1 || !ok2 {
			return nil, false
		}
		var out []time.Weekday
		for d := from; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == to {
				return out, true
			}
		}
	}
	d, ok := dayOf(tok)
	return []time.Weekday{d}, ok
}

// ParseDate reads a date as "YYYY-MM-DD", "DD/MM/YYYY" (also with "-" or
// "." and one-digit day or month: "6/10/2025") or an Excel date serial,
// and returns it as "YYYY-MM-DD". A two-digit year is refused: it is not
// obvious which century a school meant.
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("is empty")
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format(time.DateOnly), nil
	}
	// An ISO date with a time, as some programs export it.
	if t, err := time.Parse("2006-01-02 15:04:05", s); err == nil {
		return t.Format(time.DateOnly), nil
	}
	norm := strings.NewReplacer("-", "/", ".", "/").Replace(s)
	if parts := strings.Split(norm, "/"); len(parts) == 3 && len(parts[2]) == 4 {
		if t, err := time.Parse("2/1/2006", norm); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	if t, ok := csvrows.SerialDate(s); ok {
		return t.Format(time.DateOnly), nil
	}
	return "", fmt.Errorf("%q is not a date like 06/10/2025 or 2025-10-06", s)
}

// parseSite reads a site by ID or by name: "cpia-velletri", "Velletri",
// "CPIA Albano Laziale" (any case, accents dropped) give the ID the name
// makes (see csvrows.Slug). It fails when nothing usable is left.
func parseSite(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("site is empty")
	}
	if idPattern.MatchString(s) && len(s) <= MaxIDLength {
		return s, nil
	}
	slug := csvrows.Slug(s)
	if slug == "" {
		return "", fmt.Errorf("site %q has no letters or digits", s)
	}
	if len(slug) > MaxIDLength {
		return "", fmt.Errorf("site %q is too long for an ID (at most %d characters, e.g. %q)", s, MaxIDLength, strings.Trim(slug[:MaxIDLength], "-"))
	}
	return slug, nil
}

// idSuggestion adds a suggestion to a bad course ID: `(write "velletri-a1")`.
func idSuggestion(id string) string {
	slug := csvrows.Slug(id)
	if slug == "" || slug == id {
		return ""
	}
	if len(slug) > MaxIDLength {
		slug = strings.Trim(slug[:MaxIDLength], "-")
	}
	return fmt.Sprintf(": write e.g. %q", slug)
}

// closestDay suggests a day for an unknown name by its first letters.
func closestDay(name string) string {
	f := csvrows.Fold(name)
	if len(f) < 2 {
		return ""
	}
	var hits []string
	for n, d := range dayNames {
		if len(n) > 3 && strings.HasPrefix(n, f[:2]) && !slices.Contains(hits, weekdayNames[d]) {
			hits = append(hits, weekdayNames[d])
		}
	}
	if len(hits) != 1 {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", hits[0])
}

// Field caps: longer cells are refused, not truncated.
const (
	MaxTitleLen   = 200
	MaxAddressLen = 300
	MaxNotesLen   = 2000
)
