package courses

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Rome on machines without a zoneinfo database
)

// Location is Europe/Rome: course dates and times, and "tomorrow" for
// reminders, are in Rome's time.
var Location = mustLoad("Europe/Rome")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // embedded by time/tzdata: cannot happen
	}
	return loc
}

// weekdayNames are the two-letter English names FormatWeekdays writes and
// the Italian ones ParseWeekdays also reads, indexed by time.Weekday.
var (
	weekdayNames   = [7]string{"Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"}
	weekdayItalian = [7]string{"do", "lu", "ma", "me", "gi", "ve", "sa"}
)

// ParseWeekdays reads days like "Mo,We" or "Tu Th": two-letter English
// (Mo Tu We Th Fr Sa Su) or Italian (Lu Ma Me Gi Ve Sa Do) names in any
// case, separated by commas, semicolons or spaces. The result is in week
// order from Monday, without repeats; an empty list is an error.
func ParseWeekdays(s string) ([]time.Weekday, error) {
	var days []time.Weekday
	for f := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '/' }) {
		d, ok := weekdayOf(f)
		if !ok {
			return nil, fmt.Errorf("weekdays: %q is not a day (write Mo,Tu,We,Th,Fr,Sa,Su, e.g. Mo,We)", f)
		}
		days = append(days, d)
	}
	if len(days) == 0 {
		return nil, fmt.Errorf("weekdays is empty (e.g. Mo,We)")
	}
	slices.SortFunc(days, compareWeekdays)
	return slices.Compact(days), nil
}

func weekdayOf(name string) (time.Weekday, bool) {
	for d := range 7 {
		if strings.EqualFold(name, weekdayNames[d]) || strings.EqualFold(name, weekdayItalian[d]) {
			return time.Weekday(d), true
		}
	}
	return 0, false
}

// FormatWeekdays writes days as ParseWeekdays reads them: "Mo,We".
func FormatWeekdays(days []time.Weekday) string {
	names := make([]string, 0, len(days))
	for _, d := range days {
		if d >= time.Sunday && d <= time.Saturday {
			names = append(names, weekdayNames[d])
		}
	}
	return strings.Join(names, ",")
}

// compareWeekdays orders days from Monday to Sunday.
func compareWeekdays(a, b time.Weekday) int {
	return cmp.Compare((a+6)%7, (b+6)%7)
}

// ParseClock reads a time of day "HH:MM" (also "H:MM" and "HH.MM") and
// returns it as "HH:MM".
func ParseClock(s string) (string, error) {
	t, err := time.Parse("15:04", strings.Replace(strings.TrimSpace(s), ".", ":", 1))
	if err != nil {
		return "", fmt.Errorf("%q is not a time like 09:30", s)
	}
	return t.Format("15:04"), nil
}

// validClock reports whether s is exactly "HH:MM" (what ParseClock returns).
func validClock(s string) bool {
	c, err := ParseClock(s)
	return err == nil && c == s
}
