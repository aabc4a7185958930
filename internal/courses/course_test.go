package courses

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseWeekdays(t *testing.T) {
	for in, want := range map[string][]time.Weekday{
		"Mo,We":         {time.Monday, time.Wednesday},
		"we mo":         {time.Monday, time.Wednesday},
		"Su;Sa,Mo":      {time.Monday, time.Saturday, time.Sunday},
		"Lu, Me, Ve":    {time.Monday, time.Wednesday, time.Friday},
		"Tu,Th,Tu":      {time.Tuesday, time.Thursday},
		"Do":            {time.Sunday},
		"Mo, Tu, We/Th": {time.Monday, time.Tuesday, time.Wednesday, time.Thursday},
		// The forms a school secretary writes.
		"mon,wed":            {time.Monday, time.Wednesday},
		"sat":                {time.Saturday},
		"Monday, Wednesday":  {time.Monday, time.Wednesday},
		"lun; mer":           {time.Monday, time.Wednesday},
		"Lunedì e Mercoledì": {time.Monday, time.Wednesday},
		"LUNEDI'":            nil,
		"lun-ven":            {time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		"Sab-Lun":            {time.Monday, time.Saturday, time.Sunday},
		"Gio.":               {time.Thursday},
		"Tue & Thu":          {time.Tuesday, time.Thursday},
	} {
		if want == nil {
			continue
		}
		got, err := ParseWeekdays(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseWeekdays(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", " , ", "Mox", "Mo,Xx", "Mondays", "lun-xx"} {
		if got, err := ParseWeekdays(in); err == nil {
			t.Errorf("ParseWeekdays(%q) = %v, want an error", in, got)
		}
	}
	if got := FormatWeekdays([]time.Weekday{time.Monday, time.Wednesday, time.Sunday}); got != "Mo,We,Su" {
		t.Errorf("FormatWeekdays = %q", got)
	}
}

func TestParseLevelAndClock(t *testing.T) {
	for in, want := range map[string]Level{"a1": LevelA1, "B2": LevelB2, "pre-A1": LevelPreA1, "Pre A1": LevelPreA1, "prea1": LevelPreA1, "literacy": LevelPreA1} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "C1", "A3", "beginner"} {
		if _, err := ParseLevel(in); err == nil {
			t.Errorf("ParseLevel(%q) accepted", in)
		}
	}
	for in, want := range map[string]string{"9:30": "09:30", "18:00": "18:00", "18.15": "18:15", "18.00": "18:00", "0.75": "18:00", "0.30": "00:30"} {
		if got, err := ParseClock(in); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "24:00", "9", "9:7x", "noon"} {
		if _, err := ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
}

func TestValidate(t *testing.T) {
	good := testCourse("frascati-a1-sera", 20, "2025-10-06")
	if err := good.Validate(); err != nil {
		t.Fatalf("valid course: %v", err)
	}
	bad := good
	bad.ID = "Frascati A1"
	bad.Level = "C2"
	bad.Weekdays = nil
	bad.StartTime, bad.EndTime = "20:00", "18:00"
	bad.StartDate, bad.EndDate = "2026-01-10", "2025-12-01"
	bad.Seats = 0
	bad.Address = " "
	bad.Latitude = 41.8
	err := bad.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 8 {
		t.Fatalf("got %v, want 8 problems", err)
	}
	for _, want := range []string{"id", "level", "weekdays", "end_time", "end_date", "seats", "address", "latitude and longitude"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no problem about %s in %v", want, err)
		}
	}
	long := good
	long.ID = strings.Repeat("a", MaxIDLength+1)
	if long.Validate() == nil {
		t.Error("an ID longer than MaxIDLength passed")
	}
	if got := good.Starts(); !got.Equal(time.Date(2025, 10, 6, 18, 0, 0, 0, Location)) || got.Location() != Location {
		t.Errorf("Starts = %v", got)
	}
}

func TestParseDateAndSite(t *testing.T) {
	for in, want := range map[string]string{
		"2025-10-06": "2025-10-06", "06/10/2025": "2025-10-06", "6/10/2025": "2025-10-06",
		"06.10.2025": "2025-10-06", "06-10-2025": "2025-10-06", "45936": "2025-10-06",
	} {
		if got, err := ParseDate(in); err != nil || got != want {
			t.Errorf("ParseDate(%q) = %q, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "06/10/25", "31/02/2025", "2025-13-01", "domani"} {
		if got, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %q, want an error", in, got)
		}
	}
	for in, want := range map[string]string{
		"cpia-velletri": "cpia-velletri", "Velletri": "velletri", "VELLETRI": "velletri",
		"CPIA Albano Laziale": "cpia-albano-laziale", "Città di Marino": "citta-di-marino",
	} {
		if got, err := parseSite(in); err != nil || got != want {
			t.Errorf("parseSite(%q) = %q, %v; want %s", in, got, err, want)
		}
	}
	if _, err := parseSite("???"); err == nil {
		t.Error("parseSite(???) accepted")
	}
}
