package observatory

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// A cell hidden in one of the compared periods is hidden in all of them,
// so the change between periods cannot give it away.
func TestSuppressTogetherAcrossPeriods(t *testing.T) {
	cur := Table{By: []Dimension{Topic}, Rows: []Row{
		{Keys: []string{"health"}, Events: 9, People: 9},
		{Keys: []string{"permits"}, Events: 20, People: 20},
		{Keys: []string{"work"}, Events: 30, People: 30},
	}}
	prev := Table{By: []Dimension{Topic}, Rows: []Row{
		{Keys: []string{"health"}, Events: 3, People: 3}, // small: hides health now too
		{Keys: []string{"permits"}, Events: 25, People: 25},
		{Keys: []string{"work"}, Events: 31, People: 31},
	}}
	out := SuppressTogether(MinCell, cur, prev)
	hidden := func(s Suppressed) []string {
		var h []string
		for _, c := range s.Rows() {
			if c.Suppressed {
				h = append(h, c.Keys[0])
			}
		}
		return h
	}
	// health is hidden in both; in each period one more cell goes with it
	// (secondary suppression against the total), the same one in both.
	h0, h1 := hidden(out[0]), hidden(out[1])
	if !slices.Equal(h0, h1) || !slices.Contains(h0, "health") || len(h0) != 2 {
		t.Fatalf("hidden now %v, before %v", h0, h1)
	}
	// Alone, the current period would show health.
	if alone := hidden(Suppress(cur, MinCell)); len(alone) != 0 {
		t.Fatalf("alone: %v", alone)
	}
}

func TestPlanPageAndExports(t *testing.T) {
	rec, rd, _ := newRecorder(t)
	seed(t, rec)
	ctx := context.Background()
	// Last year's week 10 had 6 Italian "permits" readers.
	for n := 70; n < 76; n++ {
		if err := rec.Record(ctx, Event{Kind: KindTopicView, At: monday.AddDate(-1, 0, 0), Lang: "it", Topic: "permits", Person: rec.Person(chatID(n))}); err != nil {
			t.Fatal(err)
		}
	}
	res := Resources{
		Categories: []string{"health", "legal-aid"},
		Services: []ServiceInfo{
			{Category: "health", Town: "Velletri", HoursPerWeek: 20, Languages: []string{"it", "en"}},
			{Category: "health", Town: "Frascati", HoursPerWeek: 10, Languages: []string{"it"}},
			{Category: "urgent-help", HoursPerWeek: 168},
		},
		Courses: []CourseInfo{
			{Site: "cpia-velletri", Level: "A1", TimeOfDay: "evening", Seats: 0, Enrolled: 0, Waiting: 31},
			{Site: "cpia-frascati", Level: "A2", TimeOfDay: "morning", Seats: 20, Enrolled: 18, Waiting: 3},
		},
	}
	d := &Dashboard{Reader: rd, Resources: func(context.Context) (Resources, error) { return res, nil },
		Now: func() time.Time { return monday.AddDate(0, 0, 13) }}
	words := fakeTexts{"console.topic.permits": "Permesso di soggiorno", "console.category.health": "Salute",
		"observatory.plan.time_of_day.evening": "sera", "console.langname.it": "italiano"}
	get := func(target string) *httptest.ResponseRecorder {
		t.Helper()
		w := httptest.NewRecorder()
		d.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		return w
	}
	w := get("/plan?from=2025-03-03&to=2025-03-16")
	if w.Code != http.StatusOK {
		t.Fatalf("plan: %d %s", w.Code, w.Body)
	}
	page := w.Body.String()
	for _, want := range []string{
		"@media print", "<svg", "observatory.plan.table.missing_courses",
		"<td>rm6-5</td><td>velletri</td><td>A1</td><td>evening</td><td>1</td><td>0</td><td>0</td><td>31</td><td>0</td><td>31</td>",
		"<td>rm6-2</td><td>health</td>", // a gap: no health service in the Albano district
		"<td>rm6-1</td><td>frascati</td><td>A2</td><td>morning</td><td>1</td><td>20</td><td>18</td><td>&lt;5</td><td>2</td><td>&lt;5</td>",
		"observatory.plan.unconfirmed",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the plan lacks %s", want)
		}
	}
	if strings.Contains(page, rec.Person(chatID(1))) {
		t.Error("the plan names a person")
	}

	// The charts speak the console's language; tables and exports keep
	// the codes.
	d.Texts = words
	page = get("/plan?from=2025-03-03&to=2025-03-16").Body.String()
	var charts strings.Builder
	for _, part := range strings.Split(page, "<svg")[1:] {
		charts.WriteString(part[:strings.Index(part, "</svg>")])
	}
	for _, want := range []string{">Permesso di soggiorno<", ">italiano<", ">Velletri · A1 · sera<", "Salute<"} {
		if !strings.Contains(charts.String(), want) {
			t.Errorf("the plan's charts lack %q", want)
		}
	}
	for _, code := range []string{">permits<", ">it<", "evening<"} {
		if strings.Contains(charts.String(), code) {
			t.Errorf("a chart shows the code %q, not words", code)
		}
	}
	if !strings.Contains(page, "<td>permits</td>") {
		t.Error("the plan's table no longer shows the topic's code")
	}
	d.Texts = nil

	// The district page keeps to its district.
	w = get("/plan?from=2025-03-03&to=2025-03-16&district=rm6-5")
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), "<td>rm6-1</td>") {
		t.Fatalf("district plan: %d", w.Code)
	}
	for _, target := range []string{"/plan?district=nowhere", "/plan?from=yesterday", "/plan.csv?table=secrets"} {
		if w := get(target); w.Code != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", target, w.Code)
		}
	}

	// CSV of one table: no count of people from 1 to 4, anywhere.
	w = get("/plan.csv?from=2025-03-03&to=2025-03-16&table=requests_by_language")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), "lang,events,people,people_previous,people_last_year,change_previous\n") {
		t.Fatalf("plan.csv: %d %q", w.Code, w.Body)
	}
	noSmall(t, "requests_by_language", w.Body.String())

	w = get("/plan-dictionary.csv?lang=en")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "missing_places,observatory.plan.col.missing_places") {
		t.Fatalf("dictionary: %d %s", w.Code, w.Body)
	}

	// XLSX: one sheet per table and the dictionary, the same cells.
	w = get("/plan.xlsx?from=2025-03-03&to=2025-03-16")
	f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatalf("plan.xlsx: %v", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) != 12 || sheets[0] != "requests_by_topic" || sheets[11] != "dictionary" {
		t.Fatalf("sheets: %v", sheets)
	}
	for _, s := range sheets[:len(sheets)-1] {
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(strings.Join(r, ",") + "\n")
		}
		noSmall(t, s, b.String())
	}
	rows, _ := f.GetRows("requests_by_topic")
	// permits: 12 people now (7 + 5), none in the two weeks before, 6 a
	// year earlier.
	if len(rows) < 3 || strings.Join(rows[1], ",") != "health,9,9,0,0,+9" || strings.Join(rows[2], ",") != "permits,13,12,0,6,+12" {
		t.Errorf("requests_by_topic: %v", rows)
	}
}

// noSmall fails when a people column of a CSV text shows 1 to 4.
func noSmall(t *testing.T, name, text string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	header := strings.Split(lines[0], ",")
	for _, l := range lines[1:] {
		cells := strings.Split(l, ",")
		for i, h := range header {
			if !strings.HasPrefix(h, "people") || i >= len(cells) {
				continue
			}
			if n, err := strconv.Atoi(cells[i]); err == nil && n > 0 && n < MinCell {
				t.Errorf("%s: %s = %d in %q", name, h, n, l)
			}
		}
	}
}

// The shipped table parses, names every town of ASL Roma 6 in
// CONTENT-FACTS once, says "to be confirmed" for every row, and a
// coordinator's table replaces it whole; a bad one changes nothing.
func TestDistrictsShippedAndImported(t *testing.T) {
	d := ShippedDistricts()
	if len(d.Rows) != 21 {
		t.Fatalf("%d towns", len(d.Rows))
	}
	for _, r := range d.Rows {
		if r.Certainty != "to-be-confirmed" || r.Source == "" {
			t.Errorf("%s: certainty %q, source %q", r.Town, r.Certainty, r.Source)
		}
	}
	for code, want := range map[string]string{"cpia-velletri": "rm6-5", "Velletri": "rm6-5", "albano": "rm6-2", "monte-porzio-catone": "rm6-1", "roma": ""} {
		if got := d.DistrictOfTown(code); got != want {
			t.Errorf("DistrictOfTown(%q) = %q, want %q", code, got, want)
		}
	}
	_, _, st := newRecorder(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	dir := t.TempDir()
	bad := dir + "/bad.csv"
	good := dir + "/good.csv"
	_ = writeFile(bad, "town;district\nvelletri;\n")
	_ = writeFile(good, "town;town_name;district;district_name;lead_town;certainty;source\nvelletri;Velletri;d5;Distretto 5;velletri;confirmed;Ufficio di Piano 2026\n")
	if code := RunCLI(ctx, st, []string{"districts", "import", bad}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), bad+":1: missing column") {
		t.Fatalf("bad import: %d %s", code, errOut.String())
	}
	if got, _ := LoadDistricts(ctx, st); len(got.Rows) != 21 {
		t.Fatal("a refused table replaced the shipped one")
	}
	if code := RunCLI(ctx, st, []string{"districts", "import", good}, &out, &errOut); code != 0 {
		t.Fatalf("good import: %d %s", code, errOut.String())
	}
	got, err := LoadDistricts(ctx, st)
	if err != nil || len(got.Rows) != 1 || got.DistrictOfTown("cpia-velletri") != "d5" || !got.List()[0].Confirmed {
		t.Fatalf("after import: %+v %v", got, err)
	}
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o600) }
