package console

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/prils-lazio/presidio/locales"
)

// The directory form has a description field per language people read;
// what is saved there is what the bot shows a reader of that language. The
// form applies the import's length caps, and keeps the languages it does
// not show. The console's upload takes an XLSX workbook too.
func TestDirectoryFormTranslations(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.login("coord")
	_, page := e.get(c, "/console/directory/edit")
	for _, l := range locales.Tags() {
		if !strings.Contains(page, `name="description_`+l+`"`) {
			t.Errorf("no description field for %s", l)
		}
	}
	if !strings.Contains(page, "arabo") {
		t.Error("the language fields are not named in the console's language")
	}
	tok := e.csrf(c, "/console/directory")

	// An XLSX file with a language the form does not show (German).
	f := excelize.NewFile()
	rows := [][]any{
		{"id", "name", "category", "provider_type", "municipality", "languages", "description_it", "description_de"},
		{"caritas-velletri", "Caritas Velletri", "social-services", "third-sector", "Velletri", "it, fr", "Centro d'ascolto", "Beratungsstelle"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = f.SetSheetRow("Sheet1", cell, &r)
	}
	var b bytes.Buffer
	_ = f.Write(&b)
	_ = f.Close()
	if code, body := e.uploadTo(c, "/console/directory/import", tok, "servizi.xlsx", b.Bytes()); code != http.StatusOK {
		t.Fatalf("XLSX import: %d %.800s", code, body)
	}

	form := url.Values{"csrf": {tok}, "id": {"caritas-velletri"}, "name": {"Caritas Velletri"}, "category": {"social-services"},
		"provider_type": {"third-sector"}, "municipality": {"Velletri"}, "languages": {"it,fr"},
		"description_it": {"Centro d'ascolto"}, "description_ar": {"مركز استماع"}, "description_uk": {"Центр підтримки"}}
	form.Set("name", strings.Repeat("N", 5000))
	if code, body := e.post(c, "/console/directory/save", form); code != http.StatusUnprocessableEntity || !strings.Contains(body, "characters long") {
		t.Fatalf("an over-long name: %d %.800s", code, body)
	}
	form.Set("name", "Caritas Velletri")
	if code, body := e.post(c, "/console/directory/save", form); code != http.StatusSeeOther {
		t.Fatalf("save: %d %.800s", code, body)
	}
	s, err := e.dir.Get(ctx, "caritas-velletri")
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"ar": "مركز استماع", "uk": "Центр підтримки", "de": "Beratungsstelle", "fa": "Centro d'ascolto"} {
		if got := s.Describe(lang); got != want {
			t.Errorf("a %s reader reads %q, want %q", lang, got, want)
		}
	}
	_, page = e.get(c, "/console/directory/edit?id=caritas-velletri")
	if !strings.Contains(page, "مركز استماع") {
		t.Error("the edit form does not show the Arabic description")
	}
}
