package cases

import (
	"time"

	// Europe/Rome must load on machines without a tz database (containers).
	_ "time/tzdata"

	"github.com/prils-lazio/presidio/internal/directory"
)

// rome is the time zone of every help point.
var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic("cases: Europe/Rome: " + err.Error()) // cannot happen with time/tzdata
	}
	return loc
}()

// OfficeHours is when a help point has counsellors at work, on the wall
// clock in Rome (daylight saving time included). The zero value is never
// open (hours unknown).
type OfficeHours struct {
	text  string
	hours directory.Hours
}

// ParseOfficeHours reads hours in the syntax of the directory's opening
// hours (directory.ParseHours): "Mo-Fr 09:00-13:00; Tu,Th 15:00-18:00",
// "Sa off", "24/7"; empty means unknown, never open.
func ParseOfficeHours(text string) (OfficeHours, error) {
	h, err := directory.ParseHours(text)
	if err != nil {
		return OfficeHours{}, err
	}
	return OfficeHours{text: text, hours: h}, nil
}

// String returns the text the hours were parsed from.
func (h OfficeHours) String() string { return h.text }

// Open reports whether the help point is open at t.
func (h OfficeHours) Open(t time.Time) bool { return h.hours.OpenAt(t) }

// NextOpening returns t when the help point is open at t, else the first
// instant after t when it opens (in Rome's zone; a range that starts in
// the hour skipped by the spring DST change opens when the clock jumps
// past it, and one that lies wholly in it does not exist that day). It
// returns the zero time when the hours never open.
func (h OfficeHours) NextOpening(t time.Time) time.Time {
	if h.Open(t) {
		return t.In(rome)
	}
	local := t.In(rome)
	// Two weeks: a range skipped by the DST change exists a week later.
	for day := range 15 {
		date := time.Date(local.Year(), local.Month(), local.Day()+day, 12, 0, 0, 0, rome)
		y, m, d := date.Date()
		for _, r := range h.hours.Week[date.Weekday()] {
			start, end := wallInstant(y, m, d, r.Start), wallInstant(y, m, d, r.End)
			if start.Before(end) && start.After(t) {
				return start
			}
		}
	}
	return time.Time{}
}

// wallInstant returns the first instant at which Rome's wall clock reads
// minute (0 to 1440) on the date y-m-d. When that time occurs twice (the
// autumn change) it is the first; when it is skipped (the spring change),
// the instant the clock jumps past it.
func wallInstant(y int, m time.Month, d, minute int) time.Time {
	naive := time.Date(y, m, d, 0, minute, 0, 0, time.UTC) // the wall time, read as if UTC
	_, before := naive.Add(-24 * time.Hour).In(rome).Zone()
	_, after := naive.Add(24 * time.Hour).In(rome).Zone()
	var best time.Time
	for _, off := range []int{before, after} {
		u := naive.Add(-time.Duration(off) * time.Second)
		if _, o := u.In(rome).Zone(); o == off && (best.IsZero() || u.Before(best)) {
			best = u
		}
	}
	if !best.IsZero() {
		return best.In(rome)
	}
	// Skipped: the clock jumped over it at the start of the later offset.
	later := naive.Add(-time.Duration(min(before, after)) * time.Second)
	start, _ := later.In(rome).ZoneBounds()
	return start
}

// Week returns the opening ranges of each weekday (Sunday first), in
// minutes from midnight on Rome's wall clock, for writing the hours in a
// reader's language; all day every day when they are 24/7.
func (h OfficeHours) Week() [7][][2]int {
	var out [7][][2]int
	for d := range 7 {
		if h.hours.Always {
			out[d] = [][2]int{{0, 24 * 60}}
			continue
		}
		for _, r := range h.hours.Week[d] {
			out[d] = append(out[d], [2]int{r.Start, r.End})
		}
	}
	return out
}
