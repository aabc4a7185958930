package courses

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Rome on machines without a zoneinfo database

	"github.com/prils-lazio/presidio/internal/csvrows"
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

// weekdayNames are the two-letter English names FormatWeekdays writes,
// indexed by time.Weekday.
var weekdayNames = [7]string{"Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"}

// ParseWeekdays reads days as people write them: "Mo,We", "lun; mer",
// "lunedì e mercoledì", "Monday/Wednesday", "Tu Th", "lun-ven". Names are
// Italian or English, two letters, three or whole (lu, lun, lunedì, mo,
// mon, Monday), in any case, with or without accents; separators are
// commas, semicolons, spaces, "/", "+", "&", "e" and "and"; "a-b" is every
// day from a to b. The result is in week order from Monday, without
// repeats; an empty list is an error.
func ParseWeekdays(s string) ([]time.Weekday, error) {
	var days []time.Weekday
	for _, f := range weekdayTokens(s) {
		ds, ok := daysIn(f)
		if !ok {
			return nil, fmt.Errorf("weekdays: %q is not a day%s (write e.g. Mo,We or lun,mer or lunedì,mercoledì)", f, closestDay(f))
		}
		days = append(days, ds...)
	}
	if len(days) == 0 {
		return nil, fmt.Errorf("weekdays is empty (e.g. Mo,We)")
	}
	slices.SortFunc(days, compareWeekdays)
	return slices.Compact(days), nil
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

// ParseClock reads a time of day "HH:MM" (also "H:MM", "HH.MM" and an
// Excel time, a fraction of a day like "0.75", when it is no clock time)
// and returns it as "HH:MM".
func ParseClock(s string) (string, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse("15:04", strings.Replace(s, ".", ":", 1))
	if err == nil {
		return t.Format("15:04"), nil
	}
	if c, ok := csvrows.SerialClock(s); ok && strings.HasPrefix(s, "0.") {
		return c, nil
	}
	return "", fmt.Errorf("%q is not a time like 09:30 or 18.00", s)
}

// validClock reports whether s is exactly "HH:MM" (what ParseClock returns).
func validClock(s string) bool {
	c, err := ParseClock(s)
	return err == nil && c == s
}
