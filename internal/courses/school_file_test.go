package courses

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// schoolCSV is a course file as an Italian spreadsheet program saves it:
// separated by ";", Windows-1252, dates dd/mm/yyyy, times 18.00, the site
// by name and the weekdays in words.
const schoolCSV = "id;site;level;title;weekdays;start_time;end_time;start_date;end_date;seats;address;notes\r\n" +
	"velletri-a1-sera;Velletri;A1;Italiano A1 – sera;lunedì e mercoledì;18.00;20.00;06/10/2025;29/05/2026;20;Via Esempio 1, Velletri;Più di 16 anni\r\n" +
	"velletri-a2-sab;VELLETRI;a2;Italiano A2;sab;9.30;12.30;11/10/2025;30/05/2026;15;Via Esempio 1, Velletri;\r\n" +
	"albano-alfa;CPIA Albano Laziale;Alfabetizzazione;Alfabetizzazione;mon,wed;9:00;11:00;2025-10-06;2026-05-27;12;Piazza Esempio 2;\r\n"

func TestParseSchoolFileWindows1252Semicolons(t *testing.T) {
	enc, err := charmap.Windows1252.NewEncoder().String(schoolCSV)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(enc, "ì") {
		t.Fatal("the test file is not Windows-1252")
	}
	got, errs := ParseCSV("corsi.csv", strings.NewReader(enc))
	if len(errs) > 0 {
		t.Fatalf("refused: %v", errs)
	}
	if len(got) != 3 {
		t.Fatalf("got %d courses", len(got))
	}
	a1 := got[0]
	if a1.Site != "velletri" || a1.Title != "Italiano A1 – sera" || a1.Notes != "Più di 16 anni" ||
		a1.StartTime != "18:00" || a1.StartDate != "2025-10-06" || a1.EndDate != "2026-05-29" ||
		len(a1.Weekdays) != 2 || a1.Weekdays[0] != time.Monday || a1.Weekdays[1] != time.Wednesday {
		t.Errorf("first course: %+v", a1)
	}
	if got[1].Site != "velletri" || got[1].Weekdays[0] != time.Saturday || got[1].Level != LevelA2 {
		t.Errorf("second course: %+v", got[1])
	}
	if got[2].Site != "cpia-albano-laziale" || got[2].Level != LevelPreA1 {
		t.Errorf("third course: %+v", got[2])
	}
}

func TestParseRefusesOverlongCells(t *testing.T) {
	title := strings.Repeat("x", MaxTitleLen+1)
	in := csvHeader + "\nc1,cpia-frascati,A1," + title + ",Mo,18:00,20:00,2025-10-06,2026-05-29,20,Via 1,,,\n"
	_, errs := ParseCSV("x.csv", strings.NewReader(in))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "x.csv:2: title is 201 characters long: at most 200") {
		t.Fatalf("errors: %v", errs)
	}
	// A 10 MB cell ends the reading with a clear message instead of
	// being held in memory.
	huge := csvHeader + "\nc1,cpia-frascati,A1," + strings.Repeat("y", 10<<20) + ",Mo,18:00,20:00,2025-10-06,2026-05-29,20,Via 1,,,\n"
	_, errs = ParseCSV("x.csv", strings.NewReader(huge))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "x.csv:2: the row is longer than 256 KB") {
		t.Fatalf("errors: %v", errs)
	}
}
