package locales

import (
	"strings"
	"testing"
	"time"
)

// The data a person reads (distances, hours, weekdays, dates) is written in
// their language, with CLDR's digits, names and patterns.
func TestFormatsPerLanguage(t *testing.T) {
	c := mustLoad(t)
	start := time.Date(2026, 3, 10, 15, 4, 0, 0, time.UTC) // a Tuesday
	cases := []struct {
		lang, distance, near, hours, days, date string
	}{
		{"it", "2,5 km", "350 m", "09:00 – 13:00, 15:00 – 18:30", "lun – ven, dom", "10 marzo 2026"},
		{"en", "2.5 km", "350 m", "9:00 AM – 1:00 PM, 3:00 PM – 6:30 PM", "Mon – Fri, Sun", "March 10, 2026"},
		{"fr", "2,5 km", "350 m", "09:00 – 13:00, 15:00 – 18:30", "lun. – ven., dim.", "10 mars 2026"},
		{"ar", "٢٫٥ كم", "٣٥٠ م", "٩:٠٠ ص – ١:٠٠ م، ٣:٠٠ م – ٦:٣٠ م", "الاثنين – الجمعة، الأحد", "١٠ مارس ٢٠٢٦"},
		{"uk", "2,5 км", "350 м", "09:00 – 13:00, 15:00 – 18:30", "пн – пт, нд", "10 березня 2026 р."},
		{"zh", "2.5公里", "350米", "上午9:00 – 下午1:00、下午3:00 – 下午6:30", "周一 – 周五、周日", "2026年3月10日"},
		{"fa", "۲٫۵ کیلومتر", "۳۵۰ متر", "۹:۰۰ – ۱۳:۰۰، ۱۵:۰۰ – ۱۸:۳۰", "دوشنبه – جمعه، یکشنبه", "۱۰ مارس ۲۰۲۶"},
		{"bn", "২.৫ কিমি", "৩৫০ মি", "৯:০০ AM – ১:০০ PM, ৩:০০ PM – ৬:৩০ PM", "সোম – শুক্র, রবি", "১০ মার্চ, ২০২৬"},
	}
	ranges := []ClockRange{{9 * 60, 13 * 60}, {15 * 60, 18*60 + 30}}
	week := []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	for _, tc := range cases {
		if got := c.Distance(tc.lang, 2499); got != tc.distance {
			t.Errorf("Distance(%s, 2499 m) = %q, want %q", tc.lang, got, tc.distance)
		}
		if got := c.Distance(tc.lang, 347); got != tc.near {
			t.Errorf("Distance(%s, 347 m) = %q, want %q", tc.lang, got, tc.near)
		}
		if got := c.ClockRanges(tc.lang, ranges); got != tc.hours {
			t.Errorf("ClockRanges(%s) = %q, want %q", tc.lang, got, tc.hours)
		}
		if got := c.Weekdays(tc.lang, week); got != tc.days {
			t.Errorf("Weekdays(%s) = %q, want %q", tc.lang, got, tc.days)
		}
		if got := c.Date(tc.lang, start); got != tc.date {
			t.Errorf("Date(%s) = %q, want %q", tc.lang, got, tc.date)
		}
	}
}

func TestFormatEdges(t *testing.T) {
	c := mustLoad(t)
	if got := c.Clock("it", 24*60); got != "24:00" {
		t.Errorf("end of day in Italian = %q", got)
	}
	if got := c.Clock("en", 24*60); got != "12:00 AM" {
		t.Errorf("end of day in English = %q", got)
	}
	if got := c.Weekdays("it", []time.Weekday{time.Tuesday, time.Thursday, time.Tuesday}); got != "mar, gio" {
		t.Errorf("Tu,Th = %q", got)
	}
	if got := c.Weekdays("it", nil); got != "" {
		t.Errorf("no days = %q", got)
	}
	// An unsupported language gets Italian, like Text.
	if got := c.Distance("de", 2499); got != "2,5 km" {
		t.Errorf("Distance(de) = %q", got)
	}
	if got := c.DateTime("it", time.Date(2026, 3, 10, 8, 5, 0, 0, time.UTC)); got != "10 marzo 2026, 08:05" {
		t.Errorf("DateTime = %q", got)
	}
}

func TestWeekSchedule(t *testing.T) {
	c := mustLoad(t)
	var week [7][]ClockRange
	morning := []ClockRange{{9 * 60, 13 * 60}}
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = morning
	}
	week[time.Wednesday] = []ClockRange{{9 * 60, 13 * 60}, {15 * 60, 18 * 60}}
	week[time.Saturday] = []ClockRange{{9 * 60, 12 * 60}}
	for lang, want := range map[string]string{
		"it": "lun, mar 09:00 – 13:00 | mer 09:00 – 13:00, 15:00 – 18:00 | gio, ven 09:00 – 13:00 | sab 09:00 – 12:00",
		"uk": "пн, вт 09:00 – 13:00 | ср 09:00 – 13:00, 15:00 – 18:00 | чт, пт 09:00 – 13:00 | сб 09:00 – 12:00",
	} {
		if got := strings.Join(c.WeekSchedule(lang, week), " | "); got != want {
			t.Errorf("WeekSchedule(%s) = %q, want %q", lang, got, want)
		}
	}
	week[time.Wednesday] = morning
	if got := strings.Join(c.WeekSchedule("en", week), " | "); got != "Mon – Fri 9:00 AM – 1:00 PM | Sat 9:00 AM – 12:00 PM" {
		t.Errorf("WeekSchedule(en) = %q", got)
	}
	if got := c.WeekSchedule("it", [7][]ClockRange{}); len(got) != 0 {
		t.Errorf("closed all week = %q", got)
	}
}
