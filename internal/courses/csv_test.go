package courses

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

const csvHeader = "id,site,level,title,weekdays,start_time,end_time,start_date,end_date,seats,address,latitude,longitude,notes"

// goodCSV has two valid courses; the notes of the first span two lines.
const goodCSV = csvHeader + `
frascati-a1-sera,cpia-frascati,A1,Italiano A1 (sera),"Mo,We",18:00,20:00,2025-10-06,2026-05-29,20,"Via Example 1, Frascati",41.8069,12.6797,"Portare un documento.
Dai 16 anni."
velletri-alfa,cpia-velletri,pre-A1,Alfabetizzazione,Tu Th,9:30,11:30,2025-10-07,2026-05-28,12,Piazza Esempio 2 Velletri,,,
`

// badCSV has at least one problem on every line badWant names; a quoted
// cell spans lines 3-4, and errors point at the first line of a row.
const badCSV = csvHeader + `
ok-1,cpia-frascati,A1,Uno,Mo,18:00,20:00,2025-10-06,2026-05-29,20,Via 1,,,"Note
su due righe"
bad-level,cpia-frascati,C1,Due,Mo,18:00,20:00,2025-10-06,2026-05-29,20,Via 1,,,
bad-days,cpia-frascati,A1,Tre,"Mo,Xx",18:00,20:00,2025-10-06,2026-05-29,20,Via 1,,,
bad-times,cpia-frascati,A1,Quattro,Mo,20:00,18:00,2025-10-06,2026-05-29,20,Via 1,,,
bad-clock,cpia-frascati,A1,Cinque,Mo,25:00,20:00,2025-10-06,2026-05-29,20,Via 1,,,
bad-dates,cpia-frascati,A1,Sei,Mo,18:00,20:00,06/10/2025,31/09/2025,20,Via 1,,,
bad-order,cpia-frascati,A1,Sette,Mo,18:00,20:00,2026-01-10,2025-12-01,20,Via 1,,,
bad-seats,cpia-frascati,A1,Otto,Mo,18:00,20:00,2025-10-06,2026-05-29,0,Via 1,,,

no-seats,cpia-frascati,A1,Nove,Mo,18:00,20:00,2025-10-06,2026-05-29,venti,,,,
ok-1,cpia-frascati,A1,Duplicato,Mo,18:00,20:00,2025-10-06,2026-05-29,20,Via 1,,,
short,cpia-frascati,A1
Bad ID,cpia-frascati,A1,Dodici,Mo,18:00,20:00,2025-10-06,2026-05-29,20,Via 1,"41,8",12.6,
`

var badWant = []string{
	`bad.csv:4: level "C1" is unknown (valid: pre-A1, A1, A2, B1, B2)`,
	`bad.csv:5: weekdays: "Xx" is not a day (write e.g. Mo,We or lun,mer or lunedì,mercoledì)`,
	`bad.csv:6: end_time 18:00 is not after start_time 20:00`,
	`bad.csv:7: start_time "25:00" is not a time like 09:30 or 18.00`,
	`bad.csv:8: end_date "31/09/2025" is not a date like 06/10/2025 or 2025-10-06`,
	`bad.csv:9: end_date 2025-12-01 is before start_date 2026-01-10`,
	`bad.csv:10: seats must be more than 0 (is 0)`,
	`bad.csv:12: seats "venti" is not a whole number`,
	`bad.csv:12: address is empty`,
	`bad.csv:13: id "ok-1" is already used on line 2`,
	`bad.csv:14: the row has 3 cells but the header has 14 (a missing or extra comma?)`,
	`bad.csv:15: latitude "41,8" is not a number (use a dot)`,
	`bad.csv:15: id "Bad ID" must be a-z, 0-9 and single "-" between them, at most 32 characters (it goes into Telegram buttons): write e.g. "bad-id"`,
}

func TestParseCSVGood(t *testing.T) {
	got, errs := ParseCSV("good.csv", strings.NewReader("\xef\xbb\xbf"+goodCSV))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := []Course{
		{
			ID: "frascati-a1-sera", Site: "cpia-frascati", Level: LevelA1, Title: "Italiano A1 (sera)",
			Weekdays: []time.Weekday{time.Monday, time.Wednesday}, StartTime: "18:00", EndTime: "20:00",
			StartDate: "2025-10-06", EndDate: "2026-05-29", Seats: 20, Address: "Via Example 1, Frascati",
			Latitude: 41.8069, Longitude: 12.6797, Notes: "Portare un documento.\nDai 16 anni.",
		},
		{
			ID: "velletri-alfa", Site: "cpia-velletri", Level: LevelPreA1, Title: "Alfabetizzazione",
			Weekdays: []time.Weekday{time.Tuesday, time.Thursday}, StartTime: "09:30", EndTime: "11:30",
			StartDate: "2025-10-07", EndDate: "2026-05-28", Seats: 12, Address: "Piazza Esempio 2 Velletri",
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

// Every problem of the file is reported, each at its line.
func TestParseCSVReportsEveryLine(t *testing.T) {
	got, errs := ParseCSV("bad.csv", strings.NewReader(badCSV))
	if got != nil {
		t.Errorf("courses returned from a bad file: %v", got)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	if !reflect.DeepEqual(msgs, badWant) {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(badWant, "\n"))
	}
}

func TestParseCSVHeader(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"empty":     {"", "x.csv:1: the file is empty"},
		"semicolon": {"id;site;level", `x.csv:1: missing column "title"`},
		"missing":   {"id,site,level,title,weekdays,start_time,end_time,start_date,end_date,address\n", `x.csv:1: missing column "seats"`},
		"unknown":   {csvHeader + ",teacher\n", `x.csv:1: unknown column "teacher"`},
		"quote":     {csvHeader + "\nx,\"broken\n", "x.csv:2: broken CSV"},
	} {
		_, errs := ParseCSV("x.csv", strings.NewReader(tc.in))
		if len(errs) == 0 || !strings.HasPrefix(errs[0].Error(), tc.want) {
			t.Errorf("%s: %v, want %q first", name, errs, tc.want)
		}
	}
	// The counts an export adds are accepted and ignored.
	in := csvHeader + ",enrolled,waiting\nx,cpia-albano,B1,B1,Fr,15:00,17:00,2025-10-10,2026-05-29,10,Via 3,,,,7,2\n"
	if got, errs := ParseCSV("x.csv", strings.NewReader(in)); len(errs) > 0 || len(got) != 1 || got[0].Seats != 10 {
		t.Errorf("export columns: %v %v", got, errs)
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	courses, errs := ParseCSV("good.csv", strings.NewReader(goodCSV))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, courses, map[string]Counts{"frascati-a1-sera": {Enrolled: 3, Waiting: 1}}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	if lines[0] != csvHeader+",enrolled,waiting" || !strings.HasSuffix(lines[2], ",3,1") {
		t.Errorf("export:\n%s", buf.String())
	}
	again, errs := ParseCSV("export.csv", &buf)
	if len(errs) > 0 || !reflect.DeepEqual(again, courses) {
		t.Fatalf("round trip: %v %+v", errs, again)
	}
}

// Titles and notes may be translated in title_<lang> and notes_<lang>
// columns; a reader of another language gets the Italian ones, flagged.
func TestTranslationColumns(t *testing.T) {
	in := csvHeader + ",title_en,notes_ar,title_ar\n" +
		"x,cpia-albano,B1,Corso B1,Fr,15:00,17:00,2025-10-10,2026-05-29,10,Via 3,,,Porta un documento,B1 course,أحضر وثيقة,\n"
	got, errs := ParseCSV("x.csv", strings.NewReader(in))
	if len(errs) > 0 || len(got) != 1 {
		t.Fatalf("%v %v", got, errs)
	}
	c := got[0]
	for _, tc := range []struct {
		lang, title string
		own         bool
	}{{"it", "Corso B1", true}, {"en", "B1 course", true}, {"en-GB", "B1 course", true}, {"ar", "Corso B1", false}, {"uk", "Corso B1", false}} {
		if title, own := c.TitleIn(tc.lang); title != tc.title || own != tc.own {
			t.Errorf("TitleIn(%s) = %q, %v; want %q, %v", tc.lang, title, own, tc.title, tc.own)
		}
	}
	if notes, own := c.NotesIn("ar"); notes != "أحضر وثيقة" || !own {
		t.Errorf("NotesIn(ar) = %q, %v", notes, own)
	}
	if notes, own := c.NotesIn("en"); notes != "Porta un documento" || own {
		t.Errorf("NotesIn(en) = %q, %v", notes, own)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, got, nil); err != nil {
		t.Fatal(err)
	}
	if header, _, _ := strings.Cut(buf.String(), "\n"); header != csvHeader+",title_ar,notes_ar,title_en,notes_en,enrolled,waiting" {
		t.Errorf("export header %q", header)
	}
	again, errs := ParseCSV("export.csv", &buf)
	if len(errs) > 0 || !reflect.DeepEqual(again, got) {
		t.Fatalf("round trip: %v %+v", errs, again)
	}
	for _, bad := range []string{"title_", "notes_english", "title_IT_x"} {
		if _, errs := ParseCSV("x.csv", strings.NewReader(csvHeader+","+bad+"\n")); len(errs) == 0 || !strings.Contains(errs[0].Error(), "unknown column") {
			t.Errorf("column %q: %v", bad, errs)
		}
	}
}
