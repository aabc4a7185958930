package directory

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A workbook made by a spreadsheet program imports; a bad one names sheet
// and row and imports nothing; the export reads back.
func TestImportXLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetName("Sheet1", "Servizi")
	rows := [][]any{
		{"id", "name", "category", "provider_type", "municipality", "hours", "languages", "description_it"},
		{"caritas-velletri", "Caritas Velletri", "social-services", "third-sector", "Velletri", "Mo-Fr 09:00-12:00", "it, fr", "Centro d'ascolto"},
		{"asl-albano", "ASL Albano", "health", "public", "Albano Laziale", "", "it", "Sportello"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Servizi", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var good bytes.Buffer
	_ = f.Write(&good)
	d, _, _ := newDirectory(t)
	ctx := context.Background()
	if res, err := d.Import(ctx, "servizi.xlsx", bytes.NewReader(good.Bytes())); err != nil || res.New != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	if s, err := d.Get(ctx, "caritas-velletri"); err != nil || s.Municipality != "Velletri" || len(s.Languages) != 2 {
		t.Fatalf("service: %+v %v", s, err)
	}

	_ = f.SetCellValue("Servizi", "C3", "salute")
	var bad bytes.Buffer
	_ = f.Write(&bad)
	_, err := d.Import(ctx, "servizi.xlsx", &bad)
	if err == nil || !strings.HasPrefix(err.Error(), `servizi.xlsx (sheet "Servizi", row 3): category "salute" is unknown`) {
		t.Fatalf("bad workbook: %v", err)
	}
	if s, _ := d.Get(ctx, "asl-albano"); s.Category != CategoryHealth {
		t.Fatalf("a refused workbook changed the directory: %+v", s)
	}

	var out bytes.Buffer
	if err := d.ExportXLSX(ctx, &out); err != nil {
		t.Fatal(err)
	}
	back, errs := ParseFile("export.xlsx", &out)
	if len(errs) > 0 || len(back) != 2 || back[1].ID != "caritas-velletri" || back[1].Hours != "Mo-Fr 09:00-12:00" {
		t.Fatalf("export read back: %v %+v", errs, back)
	}
}
