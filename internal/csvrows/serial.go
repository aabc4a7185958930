package csvrows

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// excelEpoch is day 0 of Excel's 1900 date system (serial 1 is
// 1900-01-01; the epoch is shifted by Excel's fictitious 1900-02-29).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// SerialDate reads an Excel date serial number ("45936", also with a time
// fraction) as a date; ok is false for anything else or a serial outside
// the years 1950-2150.
func SerialDate(s string) (time.Time, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 18264 || f > 91311 {
		return time.Time{}, false
	}
	return excelEpoch.AddDate(0, 0, int(math.Floor(f))), true
}

// SerialClock reads an Excel time, a fraction of a day in [0, 1)
// ("0.75"), as "HH:MM" rounded to the minute; ok is false otherwise.
func SerialClock(s string) (string, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f >= 1 {
		return "", false
	}
	mins := int(math.Round(f * 24 * 60))
	if mins >= 24*60 {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d", mins/60, mins%60), true
}
