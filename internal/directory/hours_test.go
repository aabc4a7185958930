package directory

import (
	"strings"
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseHoursValid(t *testing.T) {
	cases := []struct {
		text string
		want map[time.Weekday]string // TodayHours-style text per day; missing = closed
	}{
		{"", nil},
		{"Mo-Fr 09:00-13:00; Tu,Th 15:00-18:00", map[time.Weekday]string{
			time.Monday: "09:00-13:00", time.Tuesday: "09:00-13:00, 15:00-18:00", time.Wednesday: "09:00-13:00",
			time.Thursday: "09:00-13:00, 15:00-18:00", time.Friday: "09:00-13:00"}},
		{"mo,we 14:00-17:00, 9:00-12:30", map[time.Weekday]string{
			time.Monday: "09:00-12:30, 14:00-17:00", time.Wednesday: "09:00-12:30, 14:00-17:00"}},
		{"Mo-Sa 08:00-14:00; Sa off", map[time.Weekday]string{
			time.Monday: "08:00-14:00", time.Tuesday: "08:00-14:00", time.Wednesday: "08:00-14:00",
			time.Thursday: "08:00-14:00", time.Friday: "08:00-14:00"}},
		{"Sa-Mo 10:00-11:00;", map[time.Weekday]string{
			time.Saturday: "10:00-11:00", time.Sunday: "10:00-11:00", time.Monday: "10:00-11:00"}},
		{"Tu , Th 18:00-24:00; Sa,Su off", map[time.Weekday]string{
			time.Tuesday: "18:00-24:00", time.Thursday: "18:00-24:00"}},
		{"Mo 09:00-12:00, 12:00-13:00", map[time.Weekday]string{time.Monday: "09:00-12:00, 12:00-13:00"}},
	}
	for _, c := range cases {
		h, err := ParseHours(c.text)
		if err != nil {
			t.Errorf("ParseHours(%q): %v", c.text, err)
			continue
		}
		for d := time.Sunday; d <= time.Saturday; d++ {
			var parts []string
			for _, r := range h.Week[d] {
				parts = append(parts, r.String())
			}
			if got := strings.Join(parts, ", "); got != c.want[d] {
				t.Errorf("ParseHours(%q) on %s = %q, want %q", c.text, d, got, c.want[d])
			}
		}
	}
	h, err := ParseHours("24/7")
	if err != nil || !h.Always || !h.OpenAt(utc("2025-03-30T01:30:00Z")) || h.TodayHours(time.Now()) != "00:00-24:00" {
		t.Errorf("24/7: %+v %v", h, err)
	}
}

func TestParseHoursErrors(t *testing.T) {
	cases := map[string]string{
		"Mo-Fx 09:00-13:00":                 `unknown day "Fx" (days are Mo Tu We Th Fr Sa Su)`,
		"Mo 9-13":                           `"9" is not a time (write HH:MM, e.g. 09:00)`,
		"Mo 09:00":                          `"09:00" is not a time range (write e.g. 09:00-13:00)`,
		"Mo 25:00-26:00":                    `"25:00" is not a time of day (00:00 to 24:00)`,
		"Mo 09:60-10:00":                    `"09:60" is not a time of day (00:00 to 24:00)`,
		"Fr 20:00-02:00":                    `20:00-02:00 does not end after it starts (hours past midnight go on the next day: "Fr 20:00-24:00; Sa 00:00-02:00")`,
		"Mo-Fr 09:00-13:00 15:00-18:00":     `"09:00-13:00 15:00-18:00": separate time ranges with ","`,
		"09:00-13:00":                       `"09:00-13:00" does not say which days (write e.g. "Mo-Fr 09:00-13:00")`,
		"Mo-Fr":                             `"Mo-Fr" has no times (write e.g. "Mo-Fr 09:00-13:00" or "Sa off")`,
		"Mo-Fr 09:00-13:00; Mo 12:00-14:00": `on Mo, 09:00-13:00 and 12:00-14:00 overlap`,
		"Mo,,Tu 09:00-13:00":                `a day is missing around "," or "-" (days are Mo Tu We Th Fr Sa Su)`,
		"Monday 09:00-13:00":                `unknown day "Monday" (days are Mo Tu We Th Fr Sa Su)`,
	}
	for text, want := range cases {
		_, err := ParseHours(text)
		if err == nil || err.Error() != want {
			t.Errorf("ParseHours(%q) = %v\n want %s", text, err, want)
		}
	}
}

// The hours are read on Rome's wall clock: the checks below fail with a
// fixed +01:00 or +02:00 offset, and around midnight with UTC days.
func TestOpenAtAcrossMidnightWeekendsAndDST(t *testing.T) {
	s := Service{Hours: "Su 02:00-03:00, 08:00-09:00; Mo-Fr 09:00-13:00, 15:00-18:00; Fr 22:00-24:00; Sa 00:00-02:00"}
	cases := []struct {
		at   string
		open bool
		why  string
	}{
		// Spring forward: Sunday 30 March 2025, 02:00 CET -> 03:00 CEST (01:00 UTC).
		{"2025-03-30T06:30:00Z", true, "08:30 CEST, Sunday morning slot"},
		{"2025-03-30T07:30:00Z", false, "09:30 CEST (08:30 if the offset were still +1)"},
		{"2025-03-30T00:59:00Z", false, "01:59 CET, before the Sunday night slot"},
		{"2025-03-30T01:00:00Z", false, "03:00 CEST: 02:00-03:00 never happens that night"},
		{"2025-03-29T07:30:00Z", false, "Saturday 08:30 CET"},
		{"2025-03-31T06:59:00Z", false, "Monday 08:59 CEST"},
		{"2025-03-31T07:00:00Z", true, "Monday 09:00 CEST"},
		{"2025-03-31T10:59:59Z", true, "Monday 12:59:59 CEST"},
		{"2025-03-31T11:00:00Z", false, "Monday 13:00 CEST"},
		{"2025-03-31T13:30:00Z", true, "Monday 15:30 CEST"},
		// Fall back: Sunday 26 October 2025, 03:00 CEST -> 02:00 CET (01:00 UTC).
		{"2025-10-26T00:30:00Z", true, "02:30 CEST, first pass"},
		{"2025-10-26T01:30:00Z", true, "02:30 CET, second pass"},
		{"2025-10-26T02:30:00Z", false, "03:30 CET"},
		{"2025-10-26T06:30:00Z", false, "07:30 CET (08:30 if the offset were still +2)"},
		{"2025-10-26T07:30:00Z", true, "08:30 CET"},
		{"2025-10-25T07:30:00Z", false, "Saturday 09:30 CEST"},
		// Around midnight: Friday night runs into Saturday.
		{"2025-03-28T22:59:00Z", true, "Friday 23:59 CET"},
		{"2025-03-28T23:00:00Z", true, "Saturday 00:00 CET (Friday in UTC)"},
		{"2025-03-29T00:59:00Z", true, "Saturday 01:59 CET"},
		{"2025-03-29T01:00:00Z", false, "Saturday 02:00 CET"},
		{"2025-03-27T22:30:00Z", false, "Thursday 23:30 CET"},
		// Weekends.
		{"2025-04-05T10:00:00Z", false, "Saturday noon"},
		{"2025-04-06T10:00:00Z", false, "Sunday noon"},
	}
	for _, c := range cases {
		if got := s.OpenAt(utc(c.at)); got != c.open {
			t.Errorf("OpenAt(%s) = %v, want %v (%s)", c.at, got, c.open, c.why)
		}
	}
}

func TestTodayHoursUsesRomeDay(t *testing.T) {
	s := Service{Hours: "Su 08:00-09:00; Mo-Fr 09:00-13:00, 15:00-18:00; Sa off"}
	cases := map[string]string{
		"2025-03-30T21:30:00Z": "08:00-09:00",              // Sunday 23:30 CEST
		"2025-03-30T22:30:00Z": "09:00-13:00, 15:00-18:00", // Monday 00:30 CEST, still Sunday in UTC
		"2025-10-26T22:30:00Z": "08:00-09:00",              // Sunday 23:30 CET
		"2025-10-26T23:30:00Z": "09:00-13:00, 15:00-18:00", // Monday 00:30 CET
		"2025-10-25T22:30:00Z": "08:00-09:00",              // Sunday 00:30 CEST
		"2025-03-29T12:00:00Z": "",                         // Saturday: closed
	}
	for at, want := range cases {
		if got := s.TodayHours(utc(at)); got != want {
			t.Errorf("TodayHours(%s) = %q, want %q", at, got, want)
		}
	}
	unknown := Service{}
	if unknown.OpenAt(time.Now()) || unknown.TodayHours(time.Now()) != "" {
		t.Error("unknown hours must be neither open nor have hours")
	}
	broken := Service{Hours: "Mo 9-13"}
	if broken.OpenAt(utc("2025-03-31T08:00:00Z")) || broken.TodayHours(utc("2025-03-31T08:00:00Z")) != "" {
		t.Error("unparsable hours must read as closed")
	}
}

func TestTodayRanges(t *testing.T) {
	h, err := ParseHours("Mo-Fr 09:00-13:00; We 15:00-18:00")
	if err != nil {
		t.Fatal(err)
	}
	wed := time.Date(2026, 3, 4, 10, 30, 0, 0, rome)
	if got := h.Today(wed); len(got) != 2 || got[0] != (TimeRange{540, 780}) || got[1] != (TimeRange{900, 1080}) {
		t.Errorf("Wednesday: %v", got)
	}
	if got := h.Today(wed.AddDate(0, 0, 4)); len(got) != 0 {
		t.Errorf("Sunday: %v", got)
	}
	always, _ := ParseHours("24/7")
	if got := always.Today(wed); len(got) != 1 || got[0] != (TimeRange{0, 1440}) {
		t.Errorf("24/7: %v", got)
	}
	// The result is a copy: changing it does not change the schedule.
	got := h.Today(wed)
	got[0].Start = 0
	if h.Today(wed)[0].Start != 540 {
		t.Error("Today shares the schedule's slice")
	}
}
