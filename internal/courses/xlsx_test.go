package courses

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A workbook made by a spreadsheet program (here excelize) with a date
// typed as a date, a time as a time and the site by name imports; a bad
// one names sheet and row; the export reads back.
func TestImportXLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetName("Sheet1", "Corsi")
	rows := [][]any{
		{"id", "site", "level", "title", "weekdays", "start_time", "end_time", "start_date", "end_date", "seats", "address"},
		{"velletri-a1", "Velletri", "A1", "Italiano A1", "lun, mer", 0.75, "20.00", 45936, "29/05/2026", 20, "Via Esempio 1"},
		{"albano-b1", "cpia-albano", "B1", "Italiano B1", "Saturday", "9:00", "12:00", "2025-10-11", "2026-05-30", 15, "Piazza 2"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Corsi", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var good bytes.Buffer
	if err := f.Write(&good); err != nil {
		t.Fatal(err)
	}
	c, _ := newCourses(t, Config{})
	ctx := context.Background()
	res, err := c.Import(ctx, "corsi.xlsx", bytes.NewReader(good.Bytes()))
	if err != nil || res.New != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	co, err := c.Get(ctx, "velletri-a1")
	if err != nil || co.Site != "velletri" || co.StartTime != "18:00" || co.StartDate != "2025-10-06" || co.EndDate != "2026-05-29" || co.Seats != 20 {
		t.Fatalf("course: %+v %v", co, err)
	}

	_ = f.SetCellValue("Corsi", "C3", "C2")
	_ = f.SetCellValue("Corsi", "A2", "Velletri A1")
	var bad bytes.Buffer
	_ = f.Write(&bad)
	_, err = c.Import(ctx, "corsi.xlsx", &bad)
	want := []string{
		`corsi.xlsx (sheet "Corsi", row 2): id "Velletri A1" must be a-z, 0-9 and single "-" between them, at most 32 characters (it goes into Telegram buttons): write e.g. "velletri-a1"`,
		`corsi.xlsx (sheet "Corsi", row 3): level "C2" is unknown (valid: pre-A1, A1, A2, B1, B2)`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("bad workbook: %v", err)
	}

	var out bytes.Buffer
	if err := c.ExportXLSX(ctx, &out); err != nil {
		t.Fatal(err)
	}
	back, errs := ParseFile("export.xlsx", &out)
	if len(errs) > 0 || len(back) != 2 || back[1].ID != "velletri-a1" || back[1].Seats != 20 {
		t.Fatalf("export read back: %v %+v", errs, back)
	}
}
