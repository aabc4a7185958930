package directory

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const header = "id,name,category,provider_type,municipality,address,latitude,longitude,phone,website,hours,languages,who_can_use,sample,description_it,description_en"

// goodCSV has two valid services; the first description spans two lines.
const goodCSV = header + `
asl-frascati,ASL Roma 6 a Frascati (esempio),health,public,Frascati,Indirizzo da confermare,41.8069,12.6797,,,Mo-Fr 09:00-13:00,"it, en",Tutti,true,"Iscrizione al servizio sanitario.
Seconda riga.",Health service registration.
prils-velletri,Punto di aiuto PRILS Velletri (esempio),italian-courses,public,Velletri,,41.6868,12.7776,,https://example.org/prils,,it,Dai 16 anni,yes,Corsi di italiano.,
`

// badCSV has one problem (at least) on every line it names in badWant; a
// quoted cell spans lines 3-4 and 13-14, and errors point at the first line.
const badCSV = header + `,note
ok-1,Servizio uno,health,public,Frascati,,41.8069,12.6797,,,,it,,true,"Descrizione
su due righe",Description,
bad-lat,Servizio,health,public,Frascati,,"41,8",12.6797,,,,it,,true,Descrizione,,
bad-cat,Servizio,salute,public,Frascati,,,,,,,it,,true,Descrizione,,
ok-1,Duplicato,health,public,Frascati,,,,,,,it,,true,Descrizione,,
bad-hours,Servizio,health,public,Frascati,,,,,,Mo-Fx 09:00-13:00,it,,true,Descrizione,,
bad-phone,Servizio,health,public,Frascati,,,,06 ABC 123,,,it,,true,Descrizione,,
bad-web,Servizio,health,public,Frascati,,,,,www.example.org,,it,,true,Descrizione,,
no-desc,Servizio,health,public,Frascati,,,,,,,it,,true,,English only,
ok-2,Servizio due,health,public,Frascati,,,,,,,it,,true,Descrizione,,

bad-multi,Servizio,health,public,Frascati,,,,,,,it,"Chi:
tutti",forse,Descrizione,,
short,Servizio,health
bad-lon,Servizio,health,public,Frascati,,41.8,12.6.7,,,,it,,true,Descrizione,,
`

var badWant = []string{
	`bad.csv:1: unknown column "note" (columns: id, name, category, provider_type, municipality, address, latitude, longitude, phone, website, hours, languages, who_can_use, sample, retired, and description_<lang> for each language, e.g. description_en)`,
	`bad.csv:4: latitude "41,8" is not a number (use a dot)`,
	`bad.csv:5: category "salute" is unknown (valid: permits, documents, health, italian-courses, work, housing, school, legal-aid, social-services, urgent-help, family)`,
	`bad.csv:6: id "ok-1" is already used on line 2`,
	`bad.csv:7: hours "Mo-Fx 09:00-13:00": unknown day "Fx" (days are Mo Tu We Th Fr Sa Su)`,
	`bad.csv:8: phone "06 ABC 123" contains letters (write digits, spaces and + - / . ( ) only)`,
	`bad.csv:9: website "www.example.org" must start with http:// or https://`,
	`bad.csv:10: description_it is empty (an Italian description is required)`,
	`bad.csv:13: sample "forse" is not true or false`,
	`bad.csv:15: the row has 3 cells but the header has 17 (a missing or extra comma?)`,
	`bad.csv:16: longitude "12.6.7" is not a number`,
}

func errStrings(errs []error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

func TestParseCSVReportsEveryRowWithItsLine(t *testing.T) {
	services, errs := ParseCSV("bad.csv", strings.NewReader(badCSV))
	if services != nil {
		t.Errorf("services returned despite errors: %d", len(services))
	}
	if got := errStrings(errs); !slices.Equal(got, badWant) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(badWant, "\n"))
	}
	for _, e := range errs {
		if _, ok := e.(*LineError); !ok {
			t.Errorf("%T is not a *LineError", e)
		}
	}
}

func TestParseCSVHeaderProblems(t *testing.T) {
	cases := map[string][]string{
		"": {`x.csv:1: the file is empty: the first line must name the columns (id,name,category,provider_type,municipality,address,latitude,longitude,phone,website,hours,languages,who_can_use,sample,retired, ...)`},
		"id;name;category\n1;2;3\n": {
			`x.csv:1: missing column "provider_type" (required: id, name, category, provider_type, description_it)`,
			`x.csv:1: missing column "description_it" (required: id, name, category, provider_type, description_it)`,
		},
		"id,name,category,description_it\n": {`x.csv:1: missing column "provider_type" (required: id, name, category, provider_type, description_it)`},
		"id,name,name,category,provider_type,description_it,,description_english\n": {
			`x.csv:1: column "name" appears twice`,
			`x.csv:1: column 7 has no name (delete the empty column)`,
			`x.csv:1: unknown column "description_english" (columns: id, name, category, provider_type, municipality, address, latitude, longitude, phone, website, hours, languages, who_can_use, sample, retired, and description_<lang> for each language, e.g. description_en)`,
		},
		"id,name,category,provider_type,description_it\na,\"b\"c\",health,public,d\n": {
			`x.csv:2: broken CSV at line 2, column 5: extraneous or missing " in quoted-field (a quote inside a cell must be doubled: ""); rows after it were not checked`,
		},
		"\xff\xfei\x00d\x00": {
			`x.csv:1: the file is UTF-16 ("Unicode text"): save it as "CSV UTF-8" or as an Excel workbook (.xlsx)`,
		},
	}
	for in, want := range cases {
		_, errs := ParseCSV("x.csv", strings.NewReader(in))
		if got := errStrings(errs); !slices.Equal(got, want) {
			t.Errorf("ParseCSV(%q):\n%s\nwant:\n%s", in, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestParseCSVReadsValues(t *testing.T) {
	in := "\ufeff" + strings.ReplaceAll(goodCSV, "\n", "\r\n")
	services, errs := ParseCSV("good.csv", strings.NewReader(in))
	if len(errs) > 0 {
		t.Fatal(errStrings(errs))
	}
	want := []Service{{
		ID: "asl-frascati", Name: "ASL Roma 6 a Frascati (esempio)", Category: CategoryHealth,
		ProviderType: ProviderPublic, Municipality: "Frascati", Address: "Indirizzo da confermare",
		Latitude: 41.8069, Longitude: 12.6797, Hours: "Mo-Fr 09:00-13:00", Languages: []string{"it", "en"},
		WhoCanUse: "Tutti", Sample: true,
		Descriptions: map[string]string{"it": "Iscrizione al servizio sanitario.\nSeconda riga.", "en": "Health service registration."},
	}, {
		ID: "prils-velletri", Name: "Punto di aiuto PRILS Velletri (esempio)", Category: CategoryItalianCourses,
		ProviderType: ProviderPublic, Municipality: "Velletri", Latitude: 41.6868, Longitude: 12.7776,
		Website: "https://example.org/prils", Languages: []string{"it"}, WhoCanUse: "Dai 16 anni", Sample: true,
		Descriptions: map[string]string{"it": "Corsi di italiano."},
	}}
	if !reflect.DeepEqual(services, want) {
		t.Errorf("got  %+v\nwant %+v", services, want)
	}
}

func TestCSVRoundTrip(t *testing.T) {
	a := valid("asl-frascati")
	a.Address = `Via "da confermare", 1`
	a.Hours = "Mo-Fr 09:00-13:00; Tu,Th 15:00-18:00"
	a.Phone, a.Website = "+39 06 123", "https://example.org/a,b"
	a.WhoCanUse = "Tutti,\nanche senza permesso"
	a.Descriptions = map[string]string{"it": "Riga uno\nriga \"due\"", "en": "One, two", "ar": "خدمة صحية", "zh": "卫生服务"}
	a.Sample = true
	b := valid("linea-1522")
	b.Municipality, b.Latitude, b.Longitude, b.Languages = "", 0, 0, nil
	b.Category, b.Phone, b.Hours = CategoryUrgentHelp, "1522", "24/7"
	b.Descriptions = map[string]string{"it": "Antiviolenza"}
	c := valid("vecchio")
	c.Retired = true
	c.Latitude, c.Longitude = -33.123456789012, 151.000000000001
	services := []Service{a, b, c}

	var buf bytes.Buffer
	if err := WriteCSV(&buf, services); err != nil {
		t.Fatal(err)
	}
	firstLine, _, _ := strings.Cut(buf.String(), "\n")
	wantHeader := "id,name,category,provider_type,municipality,address,latitude,longitude,phone,website,hours,languages,who_can_use,sample,retired,description_it,description_en,description_ar,description_zh"
	if firstLine != wantHeader {
		t.Errorf("header = %s", firstLine)
	}
	back, errs := ParseCSV("export.csv", &buf)
	if len(errs) > 0 {
		t.Fatal(errStrings(errs))
	}
	if !reflect.DeepEqual(back, services) {
		t.Errorf("round trip:\n got  %+v\n want %+v", back, services)
	}
}

// A directory file saved by an Italian spreadsheet program: ";" and
// Windows-1252 ("à" is the byte 0xE0).
func TestParseCSVSemicolonWindows1252(t *testing.T) {
	in := "id;name;category;provider_type;municipality;description_it\r\n" +
		"caritas-velletri;Caritas Velletri;social-services;third-sector;Velletri;Centro d'ascolto \xe0 Velletri, aperto il luned\xec\r\n"
	got, errs := ParseCSV("servizi.csv", strings.NewReader(in))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(got) != 1 || got[0].Descriptions["it"] != "Centro d'ascolto à Velletri, aperto il lunedì" || got[0].Municipality != "Velletri" {
		t.Fatalf("got %+v", got)
	}
	long := "id,name,category,provider_type,description_it\na," + strings.Repeat("n", 201) + ",health,public,d\n"
	if _, errs := ParseCSV("x.csv", strings.NewReader(long)); len(errs) != 1 || errs[0].Error() != "x.csv:2: name is 201 characters long: at most 200" {
		t.Fatalf("long name: %v", errs)
	}
}

func TestParseCSVSuggestsAnID(t *testing.T) {
	in := "id,name,category,provider_type,description_it\nCaritas Velletri,Caritas,social-services,third-sector,Centro d'ascolto\n"
	_, errs := ParseCSV("x.csv", strings.NewReader(in))
	if len(errs) != 1 || !strings.HasSuffix(errs[0].Error(), `: write e.g. "caritas-velletri"`) {
		t.Fatalf("errors: %v", errs)
	}
}
