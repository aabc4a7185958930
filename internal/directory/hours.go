package directory

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	// Europe/Rome must load on machines without a tz database (containers).
	_ "time/tzdata"
)

// rome is the time zone opening hours are written in.
var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic("directory: Europe/Rome: " + err.Error()) // cannot happen with time/tzdata
	}
	return loc
}()

// TimeRange is an opening interval within one day, in minutes since local
// midnight: open from Start (included) to End (excluded), 0 <= Start < End
// <= 1440.
type TimeRange struct {
	Start, End int
}

// String writes the range as "09:00-13:00" (the end of the day is "24:00").
func (r TimeRange) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", r.Start/60, r.Start%60, r.End/60, r.End%60)
}

// Hours is a weekly opening schedule, read by ParseHours. The zero value is
// closed at all times.
type Hours struct {
	// Always is true for "24/7".
	Always bool
	// Week holds each day's ranges, indexed by time.Weekday (Sunday = 0),
	// sorted by start and not overlapping.
	Week [7][]TimeRange
}

// ParseHours reads opening hours written as rules separated by ";":
//
//	Mo-Fr 09:00-13:00; Tu,Th 15:00-18:00   weekday ranges and lists
//	Mo,We 09:00-12:30, 14:00-17:00         several time ranges, comma-separated
//	Mo-Sa 08:00-14:00; Sa off              "off" closes the days it names
//	24/7                                   always open (helplines)
//	(empty)                                hours unknown
//
// Days are Mo Tu We Th Fr Sa Su (any letter case); a range may wrap over
// the week end (Sa-Mo). Times are HH:MM from 00:00 to 24:00; a range ends
// after it starts, on the same day: hours past midnight belong to the next
// day ("Fr 20:00-24:00; Sa 00:00-02:00"). Rules add up, in order: Tuesday in
// the first example is open 09:00-13:00 and 15:00-18:00; "off" cancels what
// earlier rules opened on its days. Ranges of one day must not overlap. All
// times are local time in Rome.
func ParseHours(text string) (Hours, error) {
	var h Hours
	text = strings.TrimSpace(text)
	if text == "" {
		return h, nil
	}
	if text == "24/7" {
		h.Always = true
		return h, nil
	}
	for rule := range strings.SplitSeq(text, ";") {
		rule = strings.TrimSpace(rule)
		if rule == "" {
			continue
		}
		if err := h.addRule(rule); err != nil {
			return Hours{}, err
		}
	}
	for d := range h.Week {
		day := h.Week[d]
		slices.SortFunc(day, func(a, b TimeRange) int { return a.Start - b.Start })
		for i := 1; i < len(day); i++ {
			if day[i].Start < day[i-1].End {
				return Hours{}, fmt.Errorf("on %s, %s and %s overlap", dayNames[d], day[i-1], day[i])
			}
		}
	}
	return h, nil
}

// dayNames is indexed by time.Weekday.
var dayNames = [7]string{"Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"}

func (h *Hours) addRule(rule string) error {
	var dayPart, timePart string
	off := false
	if i := strings.IndexFunc(rule, unicode.IsDigit); i >= 0 {
		dayPart, timePart = rule[:i], rule[i:]
	} else if lower := strings.ToLower(rule); strings.HasSuffix(lower, "off") {
		dayPart, off = rule[:len(rule)-len("off")], true
	} else {
		return fmt.Errorf("%q has no times (write e.g. \"Mo-Fr 09:00-13:00\" or \"Sa off\")", rule)
	}
	dayPart = strings.Join(strings.Fields(dayPart), "")
	if dayPart == "" {
		return fmt.Errorf("%q does not say which days (write e.g. \"Mo-Fr %s\")", rule, strings.TrimSpace(timePart))
	}
	days, err := parseDays(dayPart)
	if err != nil {
		return err
	}
	if off {
		for _, d := range days {
			h.Week[d] = nil
		}
		return nil
	}
	var ranges []TimeRange
	for part := range strings.SplitSeq(timePart, ",") {
		r, err := parseRange(strings.TrimSpace(part))
		if err != nil {
			return err
		}
		ranges = append(ranges, r)
	}
	for _, d := range days {
		h.Week[d] = append(h.Week[d], ranges...)
	}
	return nil
}

// parseDays reads "Mo-Fr", "Tu,Th", "Sa-Mo" or "Mo,We-Fr" (no spaces).
func parseDays(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for item := range strings.SplitSeq(s, ",") {
		from, to, isRange := strings.Cut(item, "-")
		a, err := parseDay(from)
		if err != nil {
			return nil, err
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, err := parseDay(to)
		if err != nil {
			return nil, err
		}
		for d := a; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func parseDay(s string) (time.Weekday, error) {
	for i, n := range dayNames {
		if strings.EqualFold(s, n) {
			return time.Weekday(i), nil
		}
	}
	if s == "" {
		return 0, errors.New(`a day is missing around "," or "-" (days are Mo Tu We Th Fr Sa Su)`)
	}
	return 0, fmt.Errorf("unknown day %q (days are Mo Tu We Th Fr Sa Su)", s)
}

// parseRange reads "09:00-13:00".
func parseRange(s string) (TimeRange, error) {
	if strings.ContainsAny(s, " \t") {
		return TimeRange{}, fmt.Errorf("%q: separate time ranges with \",\"", s)
	}
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return TimeRange{}, fmt.Errorf("%q is not a time range (write e.g. 09:00-13:00)", s)
	}
	start, err := parseClock(from)
	if err != nil {
		return TimeRange{}, err
	}
	end, err := parseClock(to)
	if err != nil {
		return TimeRange{}, err
	}
	if end <= start {
		return TimeRange{}, fmt.Errorf("%s does not end after it starts (hours past midnight go on the next day: \"Fr 20:00-24:00; Sa 00:00-02:00\")", s)
	}
	return TimeRange{start, end}, nil
}

// parseClock reads "9:00" or "09:00" up to "24:00" as minutes since midnight.
func parseClock(s string) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	h, errH := strconv.Atoi(hh)
	m, errM := strconv.Atoi(mm)
	if !ok || errH != nil || errM != nil || len(hh) > 2 || len(mm) != 2 || h < 0 || m < 0 {
		return 0, fmt.Errorf("%q is not a time (write HH:MM, e.g. 09:00)", s)
	}
	if h > 24 || m > 59 || h == 24 && m != 0 {
		return 0, fmt.Errorf("%q is not a time of day (00:00 to 24:00)", s)
	}
	return h*60 + m, nil
}

// OpenAt reports whether the schedule is open at t, read on the wall clock
// in Rome (so daylight saving time is followed).
func (h Hours) OpenAt(t time.Time) bool {
	if h.Always {
		return true
	}
	local := t.In(rome)
	m := local.Hour()*60 + local.Minute()
	for _, r := range h.Week[local.Weekday()] {
		if r.Start <= m && m < r.End {
			return true
		}
	}
	return false
}

// TodayHours returns the ranges of the day that t falls on in Rome, as
// "09:00-13:00, 15:00-18:00"; "00:00-24:00" for 24/7; "" when closed all
// day. The text has no words, so it needs no translation.
func (h Hours) TodayHours(t time.Time) string {
	if h.Always {
		return TimeRange{0, 24 * 60}.String()
	}
	day := h.Week[t.In(rome).Weekday()]
	parts := make([]string, len(day))
	for i, r := range day {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

// Today returns the opening ranges of the day that t falls on in Rome,
// sorted; 00:00-24:00 for 24/7; none when closed all day. The caller writes
// them in the reader's language (locales.Catalog.ClockRanges).
func (h Hours) Today(t time.Time) []TimeRange {
	if h.Always {
		return []TimeRange{{0, 24 * 60}}
	}
	return slices.Clone(h.Week[t.In(rome).Weekday()])
}

// Today returns the service's opening ranges on the day of t in Rome (see
// Hours.Today); none when closed that day, unknown or unparsable.
func (s Service) Today(t time.Time) []TimeRange {
	h, err := s.Schedule()
	if err != nil {
		return nil
	}
	return h.Today(t)
}

// Schedule parses s.Hours (see ParseHours).
func (s Service) Schedule() (Hours, error) { return ParseHours(s.Hours) }

// OpenAt reports whether the service is open at t (Rome time). It is false
// when the hours are unknown (empty) or do not parse; check s.Hours == ""
// to tell "unknown" from "closed".
func (s Service) OpenAt(t time.Time) bool {
	h, err := s.Schedule()
	return err == nil && h.OpenAt(t)
}

// TodayHours returns the service's hours on the day of t in Rome (see
// Hours.TodayHours); "" when closed that day, unknown or unparsable.
func (s Service) TodayHours(t time.Time) string {
	h, err := s.Schedule()
	if err != nil {
		return ""
	}
	return h.TodayHours(t)
}
