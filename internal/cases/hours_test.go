package cases

import (
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

func TestOfficeHoursNextOpening(t *testing.T) {
	cases := []struct {
		hours, at, want string // want "" = never
	}{
		// Open now: the same instant.
		{"Mo-Fr 09:00-13:00", "2025-03-03T09:30:00Z", "2025-03-03T09:30:00Z"},
		// Before opening on a weekday: 08:30 CET, opens at 09:00 CET (08:00Z).
		{"Mo-Fr 09:00-13:00", "2025-03-03T07:30:00Z", "2025-03-03T08:00:00Z"},
		// After closing: tomorrow morning.
		{"Mo-Fr 09:00-13:00", "2025-03-03T12:30:00Z", "2025-03-04T08:00:00Z"},
		// Friday afternoon to Monday, across the spring change (30 March):
		// Monday 09:00 is CEST, 07:00Z.
		{"Mo-Fr 09:00-13:00", "2025-03-28T14:00:00Z", "2025-03-31T07:00:00Z"},
		// Across the autumn change (26 October): Monday 09:00 is CET, 08:00Z.
		{"Mo-Fr 09:00-13:00", "2025-10-24T12:00:00Z", "2025-10-27T08:00:00Z"},
		// A second range in the afternoon, and Saturday off.
		{"Mo-Sa 09:00-12:00; Tu,Th 15:00-18:00; Sa off", "2025-03-04T12:00:00Z", "2025-03-04T14:00:00Z"},
		{"Mo-Sa 09:00-12:00; Tu,Th 15:00-18:00; Sa off", "2025-03-07T11:00:00Z", "2025-03-10T08:00:00Z"},
		// Only one day a week, just after it closed: next week.
		{"We 10:00-12:00", "2025-03-05T11:00:00Z", "2025-03-12T09:00:00Z"},
		// A range starting in the hour skipped on 30 March opens when the
		// clock jumps to 03:00 CEST (01:00Z).
		{"Su 02:30-04:00", "2025-03-29T12:00:00Z", "2025-03-30T01:00:00Z"},
		// A range wholly inside the skipped hour does not exist that day.
		{"Su 02:15-02:45", "2025-03-29T12:00:00Z", "2025-04-06T00:15:00Z"},
		// 02:30 happens twice on 26 October: the first one (CEST, 00:30Z).
		{"Su 02:30-04:00", "2025-10-25T12:00:00Z", "2025-10-26T00:30:00Z"},
		// Up to midnight.
		{"Fr 20:00-24:00", "2025-03-07T22:30:00Z", "2025-03-07T22:30:00Z"},
		{"Fr 20:00-24:00", "2025-03-08T00:30:00Z", "2025-03-14T19:00:00Z"},
		{"24/7", "2025-03-30T01:30:00Z", "2025-03-30T01:30:00Z"},
		{"", "2025-03-03T09:30:00Z", ""},
		{"Sa off", "2025-03-03T09:30:00Z", ""},
	}
	for _, c := range cases {
		h, err := ParseOfficeHours(c.hours)
		if err != nil {
			t.Fatalf("ParseOfficeHours(%q): %v", c.hours, err)
		}
		got := h.NextOpening(utc(c.at))
		if c.want == "" {
			if !got.IsZero() {
				t.Errorf("%q at %s: next opening %v, want never", c.hours, c.at, got)
			}
			continue
		}
		if want := utc(c.want); !got.Equal(want) {
			t.Errorf("%q at %s: next opening %v (%v), want %v", c.hours, c.at, got.UTC(), got, want)
			continue
		}
		if !h.Open(got) {
			t.Errorf("%q: not open at its next opening %v", c.hours, got)
		}
		if got.After(utc(c.at)) && h.Open(got.Add(-time.Minute)) {
			t.Errorf("%q: already open a minute before its next opening %v", c.hours, got)
		}
		if got.Location().String() != "Europe/Rome" {
			t.Errorf("next opening %v is not in Rome's zone", got)
		}
	}
}

func TestOfficeHoursOpen(t *testing.T) {
	h, err := ParseOfficeHours("Mo-Fr 09:00-13:00")
	if err != nil {
		t.Fatal(err)
	}
	for at, want := range map[string]bool{
		"2025-03-28T08:30:00Z": true,  // Friday 09:30 CET
		"2025-03-29T09:30:00Z": false, // Saturday
		"2025-03-30T09:30:00Z": false, // Sunday
		"2025-03-31T07:30:00Z": true,  // Monday 09:30 CEST
		"2025-03-31T11:30:00Z": false, // Monday 13:30 CEST (12:30 in winter time)
		"2025-10-27T07:30:00Z": false, // Monday 08:30 CET
		"2025-10-27T08:00:00Z": true,  // Monday 09:00 CET
	} {
		if got := h.Open(utc(at)); got != want {
			t.Errorf("Open(%s) = %v, want %v", at, got, want)
		}
	}
	if h.String() != "Mo-Fr 09:00-13:00" {
		t.Errorf("String() = %q", h.String())
	}
	if _, err := ParseOfficeHours("Mo-Fr 9-13"); err == nil {
		t.Error("invalid hours parsed")
	}
	var zero OfficeHours
	if zero.Open(time.Now()) || !zero.NextOpening(time.Now()).IsZero() {
		t.Error("the zero OfficeHours is open")
	}
}
