package locales

import (
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Data in the person's language: numbers, distances, clock times, weekdays
// and dates.
//
// Digits, decimal and grouping signs come from CLDR through
// golang.org/x/text/number ("2,5" in Italian, "٢٫٥" in Arabic, "۲٫۵" in
// Persian, "২.৫" in Bengali). x/text has no public date formatter, so the
// CLDR names of weekdays and months, the day periods (AM/PM), the date and
// time patterns, the list and range patterns and the distance units are
// messages of the catalog ("cldr.*" ids, copied from the CLDR data that
// x/text carries): they fall back to Italian like every other message, and
// a translator can correct them in the same files. The patterns use CLDR's
// letters (see formatPattern).

// ClockRange is an interval of a day in minutes since midnight, from Start
// to End (End may be 1440, the end of the day).
type ClockRange struct{ Start, End int }

// printer returns an x/text printer for the language that Text uses for
// lang (see Resolve).
func (c *Catalog) printer(lang string) *message.Printer {
	return message.NewPrinter(language.Make(c.Resolve(lang)))
}

// Number writes v with exactly decimals fraction digits, with the
// language's digits and decimal and grouping signs: Number("it", 2.5, 1) is
// "2,5", Number("ar", 2.5, 1) is "٢٫٥".
func (c *Catalog) Number(lang string, v float64, decimals int) string {
	return c.printer(lang).Sprint(number.Decimal(v, number.Scale(decimals)))
}

// digits writes a non-negative integer with at least min digits and no
// grouping, in the language's digits (for dates and clock times).
func digits(p *message.Printer, n, min int) string {
	return p.Sprint(number.Decimal(n, number.MinIntegerDigits(min), number.NoSeparator()))
}

// Distance writes a distance in metres as the person reads it: under 1 km
// rounded to 10 m ("350 m"), else in km with one decimal ("2,5 km",
// "٢٫٥ كم").
func (c *Catalog) Distance(lang string, metres float64) string {
	if metres < 995 {
		m := int(math.Round(metres/10)) * 10
		return c.Text(lang, "cldr.unit.m", map[string]any{"Value": c.printer(lang).Sprint(number.Decimal(m))})
	}
	return c.Text(lang, "cldr.unit.km", map[string]any{"Value": c.Number(lang, metres/1000, 1)})
}

// Clock writes a time of day given in minutes since midnight with the
// language's CLDR time pattern: "09:00" in Italian, "9:00 AM" in English,
// "٩:٠٠ ص" in Arabic, "上午9:00" in Chinese. 1440 (the end of a day) is
// "24:00" in 24-hour patterns and midnight in 12-hour ones.
func (c *Catalog) Clock(lang string, minutes int) string {
	t := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(minutes) * time.Minute)
	return c.formatPattern(lang, c.Text(lang, "cldr.pattern.time", nil), t, minutes == 24*60)
}

// ClockRanges writes a day's opening ranges: "09:00 – 13:00, 15:00 – 18:00"
// in Italian, each time in the language's pattern, joined with its range
// and list patterns.
func (c *Catalog) ClockRanges(lang string, ranges []ClockRange) string {
	parts := make([]string, len(ranges))
	for i, r := range ranges {
		parts[i] = c.Range(lang, c.Clock(lang, r.Start), c.Clock(lang, r.End))
	}
	return c.List(lang, parts)
}

// WeekSchedule writes a week's opening hours, indexed by time.Weekday
// (Sunday = 0), one line per group of consecutive days with the same hours,
// Monday first ("lun – ven 09:00 – 13:00", "sab 09:00 – 12:00" in
// Italian); closed days are left out, none when closed all week.
func (c *Catalog) WeekSchedule(lang string, week [7][]ClockRange) []string {
	var groups []string
	for i := 0; i < 7; {
		d := time.Weekday((i + 1) % 7)
		if len(week[d]) == 0 {
			i++
			continue
		}
		j := i
		for j+1 < 7 && sameRanges(week[(j+2)%7], week[d]) {
			j++
		}
		var days []time.Weekday
		for k := i; k <= j; k++ {
			days = append(days, time.Weekday((k+1)%7))
		}
		groups = append(groups, c.Text(lang, "cldr.days_hours", map[string]any{
			"Days": c.Weekdays(lang, days), "Hours": c.ClockRanges(lang, week[d]),
		}))
		i = j + 1
	}
	return groups
}

func sameRanges(a, b []ClockRange) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Range joins two formatted values as an interval ("lun – ven",
// "09:00 – 13:00").
func (c *Catalog) Range(lang, from, to string) string {
	return c.Text(lang, "cldr.range", map[string]any{"From": from, "To": to})
}

// List joins formatted values with the language's list pattern
// ("lun, mer" in Italian, "周一、周三" in Chinese); "" for none.
func (c *Catalog) List(lang string, items []string) string {
	if len(items) == 0 {
		return ""
	}
	out := items[0]
	for _, s := range items[1:] {
		out = c.Text(lang, "cldr.list", map[string]any{"A": out, "B": s})
	}
	return out
}

var weekdayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Weekday is the full CLDR name of the day ("lunedì", "Monday", "الاثنين").
func (c *Catalog) Weekday(lang string, d time.Weekday) string {
	return c.Text(lang, "cldr.weekday."+weekdayKeys[d%7], nil)
}

// WeekdayShort is the abbreviated CLDR name of the day ("lun", "Mon",
// "пн", "周一").
func (c *Catalog) WeekdayShort(lang string, d time.Weekday) string {
	return c.Text(lang, "cldr.weekday_short."+weekdayKeys[d%7], nil)
}

// Weekdays writes a set of days, Monday first, with abbreviated names:
// three or more days in a row become a range ("lun – ven"), the others a
// list ("mar, gio"). Duplicates are ignored.
func (c *Catalog) Weekdays(lang string, days []time.Weekday) string {
	var week [7]bool // Monday = 0
	for _, d := range days {
		week[(int(d)+6)%7] = true
	}
	var parts []string
	for i := 0; i < 7; {
		if !week[i] {
			i++
			continue
		}
		j := i
		for j+1 < 7 && week[j+1] {
			j++
		}
		name := func(k int) string { return c.WeekdayShort(lang, time.Weekday((k+1)%7)) }
		if j-i >= 2 {
			parts = append(parts, c.Range(lang, name(i), name(j)))
		} else {
			for k := i; k <= j; k++ {
				parts = append(parts, name(k))
			}
		}
		i = j + 1
	}
	return c.List(lang, parts)
}

// Date writes the calendar day of t (as t's own location sees it) with the
// language's CLDR long date pattern: "10 marzo 2026", "March 10, 2026",
// "١٠ مارس ٢٠٢٦", "2026年3月10日".
func (c *Catalog) Date(lang string, t time.Time) string {
	return c.formatPattern(lang, c.Text(lang, "cldr.pattern.date", nil), t, false)
}

// DateTime writes a date and a time of day ("10 marzo 2026, 15:04"),
// joined with the list pattern.
func (c *Catalog) DateTime(lang string, t time.Time) string {
	return c.List(lang, []string{c.Date(lang, t), c.Clock(lang, t.Hour()*60+t.Minute())})
}

// formatPattern fills a CLDR date/time pattern with t. It knows the
// letters these patterns use: d dd (day), M MM (month number), MMM MMMM
// (month name), y yy yyyy (year), E EEE (short weekday), EEEE (weekday), H
// HH (hour 0-23), h hh (hour 1-12), m mm (minutes), a (AM/PM); 'text' in
// quotes is literal (two quotes in a row are one quote), other letters (time zones) are
// left out. endOfDay writes 00:00 as 24:00 in 24-hour patterns.
func (c *Catalog) formatPattern(lang, pattern string, t time.Time, endOfDay bool) string {
	p := c.printer(lang)
	var b strings.Builder
	rs := []rune(pattern)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '\'':
			j := i + 1
			if j < len(rs) && rs[j] == '\'' {
				b.WriteRune('\'')
				i += 2
				continue
			}
			for j < len(rs) && rs[j] != '\'' {
				b.WriteRune(rs[j])
				j++
			}
			i = j + 1
			continue
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			n := 1
			for i+n < len(rs) && rs[i+n] == r {
				n++
			}
			b.WriteString(c.patternField(lang, p, r, n, t, endOfDay))
			i += n
			continue
		}
		b.WriteRune(r)
		i++
	}
	return strings.TrimSpace(b.String())
}

func (c *Catalog) patternField(lang string, p *message.Printer, letter rune, n int, t time.Time, endOfDay bool) string {
	switch letter {
	case 'd':
		return digits(p, t.Day(), n)
	case 'M', 'L':
		if n >= 3 {
			return c.Text(lang, "cldr.month."+strconv.Itoa(int(t.Month())), nil)
		}
		return digits(p, int(t.Month()), n)
	case 'y':
		if n == 2 {
			return digits(p, t.Year()%100, 2)
		}
		return digits(p, t.Year(), n)
	case 'E', 'c':
		if n >= 4 {
			return c.Weekday(lang, t.Weekday())
		}
		return c.WeekdayShort(lang, t.Weekday())
	case 'H':
		h := t.Hour()
		if endOfDay {
			h = 24
		}
		return digits(p, h, min(n, 2))
	case 'h':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		return digits(p, h, min(n, 2))
	case 'm':
		return digits(p, t.Minute(), min(n, 2))
	case 'a':
		if t.Hour() < 12 {
			return c.Text(lang, "cldr.am", nil)
		}
		return c.Text(lang, "cldr.pm", nil)
	}
	return "" // time zones and other fields we never show
}
