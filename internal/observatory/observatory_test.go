package observatory

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

var monday = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC) // ISO week 2025-W10

func newRecorder(t *testing.T) (*Recorder, *Reader, *store.Store) {
	t.Helper()
	st := storetest.Open(t)
	rec, err := NewRecorder(st, []byte("a secret of this installation"))
	if err != nil {
		t.Fatal(err)
	}
	return rec, NewReader(st), st
}

func rawEvents(t *testing.T, st *store.Store) []bson.M {
	t.Helper()
	names, err := st.CollectionNames(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	var docs []bson.M
	for _, n := range names {
		if !strings.HasPrefix(n, dayPrefix) {
			continue
		}
		cur, err := st.Collection(n).Find(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var day []bson.M
		if err := cur.All(context.Background(), &day); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, day...)
	}
	return docs
}

// chatID is the (fake) Telegram chat id of person n in the seeded data.
func chatID(n int) int64 { return 987654000 + int64(n) }

// seed records:
//   - week 10: "permits" viewed by 7 Italian speakers (person 0..6, person
//     0 twice), "health" by 3 English speakers (10..12);
//   - week 11: "permits" by 5 Arabic speakers (20..24), "health" by 6
//     Italian speakers (30..35);
//   - unmatched questions: 6 "ar" about housing (40..45), 2 "en" (46, 47);
//   - first answers at help point "frascati" after 10..70 minutes (50..56)
//     and at "marino" after 5 minutes (57..62).
func seed(t *testing.T, rec *Recorder) {
	t.Helper()
	ctx := context.Background()
	var events []Event
	view := func(n int, at time.Time, lang, topic string) {
		events = append(events, Event{Kind: KindTopicView, At: at, Lang: lang, Topic: topic, Person: rec.Person(chatID(n))})
	}
	w10, w11 := monday.Add(9*time.Hour+17*time.Minute), monday.AddDate(0, 0, 8).Add(15*time.Hour)
	for n := range 7 {
		view(n, w10, "it", "permits")
	}
	view(0, w10.Add(time.Hour), "it", "permits")
	for n := 10; n < 13; n++ {
		view(n, w10, "en", "health")
	}
	for n := 20; n < 25; n++ {
		view(n, w11, "ar", "permits")
	}
	for n := 30; n < 36; n++ {
		view(n, w11, "it", "health")
	}
	for n := 40; n < 46; n++ {
		events = append(events, Event{Kind: KindUnmatched, At: w10, Lang: "ar", Topic: "housing", Person: rec.Person(chatID(n))})
	}
	for n := 46; n < 48; n++ {
		events = append(events, Event{Kind: KindUnmatched, At: w11, Lang: "en", Person: rec.Person(chatID(n))})
	}
	for i, n := 0, 50; n < 57; i, n = i+1, n+1 {
		events = append(events, Event{Kind: KindFirstResponse, At: w10, HelpPoint: "frascati", Value: 10 + 10*i, Person: rec.Person(chatID(n))})
	}
	for n := 57; n < 63; n++ {
		events = append(events, Event{Kind: KindFirstResponse, At: w11, HelpPoint: "marino", Value: 5, Person: rec.Person(chatID(n))})
	}
	for _, e := range events {
		if err := rec.Record(ctx, e); err != nil {
			t.Fatalf("recording %+v: %v", e, err)
		}
	}
}

func TestRecordRefusesFreeTextAndPersonalData(t *testing.T) {
	rec, _, st := newRecorder(t)
	ctx := context.Background()
	ok := Event{Kind: KindTopicView, At: monday, Lang: "it", Topic: "permits", Person: rec.Person(chatID(1))}
	bad := map[string]func(*Event){
		"free text topic":   func(e *Event) { e.Topic = "ho bisogno di aiuto per il permesso" },
		"capitals":          func(e *Event) { e.Lang = "IT" },
		"a name":            func(e *Event) { e.Bucket = "Mario Rossi" },
		"a phone number":    func(e *Event) { e.Municipality = "+39 333 1234567" },
		"too long":          func(e *Event) { e.HelpPoint = strings.Repeat("a", 41) },
		"a chat id":         func(e *Event) { e.Person = strconv.FormatInt(chatID(1), 10) },
		"no person":         func(e *Event) { e.Person = "" },
		"unknown kind":      func(e *Event) { e.Kind = "message" },
		"negative value":    func(e *Event) { e.Value = -1 },
		"cancel with token": func(e *Event) { e.Kind = KindCourseCancel },
		"accents":           func(e *Event) { e.Topic = "salute-è" },
	}
	for name, change := range bad {
		e := ok
		change(&e)
		if err := rec.Record(ctx, e); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Record = %v, want ErrInvalid", name, err)
		} else if strings.Contains(err.Error(), "Mario") || strings.Contains(err.Error(), "aiuto") {
			t.Errorf("%s: the error repeats the refused text: %v", name, err)
		}
	}
	if docs := rawEvents(t, st); len(docs) != 0 {
		t.Fatalf("refused events were stored: %v", docs)
	}
	e := ok
	e.At = time.Date(2025, 3, 3, 10, 42, 7, 0, time.FixedZone("CET", 3600))
	if err := rec.Record(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := rec.Record(ctx, Event{Kind: KindCourseCancel, At: monday, Bucket: "a2", HelpPoint: "albano"}); err != nil {
		t.Fatal(err)
	}
	docs := rawEvents(t, st)
	if len(docs) != 2 {
		t.Fatalf("%d documents stored", len(docs))
	}
	at := docs[0]["at"].(bson.DateTime).Time().UTC()
	if want := monday.Add(9 * time.Hour); !at.Equal(want) {
		t.Errorf("stored time %v, want %v (UTC, to the hour)", at, want)
	}
	if s := fmt.Sprint(docs); strings.Contains(s, strconv.FormatInt(chatID(1), 10)) {
		t.Errorf("the chat id is stored: %s", s)
	}
	if p := rec.Person(chatID(1)); p != docs[0]["p"] || len(p) != 16 {
		t.Errorf("person token %v, want 16 hex digits %q", docs[0]["p"], p)
	}
	if _, err := NewRecorder(st, []byte("short")); err == nil {
		t.Error("a short secret was accepted")
	}
}

func TestReportByTopicLangWeek(t *testing.T) {
	rec, rd, _ := newRecorder(t)
	seed(t, rec)
	ctx := context.Background()
	from, to := monday, monday.AddDate(0, 0, 14)

	got, err := rd.Query(ctx, Query{From: from, To: to, Kinds: []Kind{KindTopicView}, By: []Dimension{Week, Topic, Lang}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{Keys: []string{"2025-W10", "health", "en"}, Events: 3, People: 3},
		{Keys: []string{"2025-W10", "permits", "it"}, Events: 8, People: 7},
		{Keys: []string{"2025-W11", "health", "it"}, Events: 6, People: 6},
		{Keys: []string{"2025-W11", "permits", "ar"}, Events: 5, People: 5},
	}
	if !reflect.DeepEqual(got.Rows, want) {
		t.Errorf("by week, topic, lang:\n got %+v\nwant %+v", got.Rows, want)
	}

	got, err = rd.Report(ctx, from, to, Topic)
	if err != nil {
		t.Fatal(err)
	}
	want = []Row{
		{Keys: []string{""}, Events: 15, People: 15}, // unmatched without a topic, first answers
		{Keys: []string{"health"}, Events: 9, People: 9},
		{Keys: []string{"housing"}, Events: 6, People: 6},
		{Keys: []string{"permits"}, Events: 13, People: 12},
	}
	if !reflect.DeepEqual(got.Rows, want) {
		t.Errorf("by topic:\n got %+v\nwant %+v", got.Rows, want)
	}

	// Only the first week.
	got, err = rd.Report(ctx, from, from.AddDate(0, 0, 7), KindDim)
	if err != nil {
		t.Fatal(err)
	}
	want = []Row{
		{Keys: []string{"first_response"}, Events: 7, People: 7},
		{Keys: []string{"topic_view"}, Events: 11, People: 10},
		{Keys: []string{"unmatched"}, Events: 6, People: 6},
	}
	if !reflect.DeepEqual(got.Rows, want) {
		t.Errorf("first week by kind:\n got %+v\nwant %+v", got.Rows, want)
	}

	got, err = rd.Query(ctx, FirstResponse(from, to))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 2 || got.Rows[0].Keys[0] != "frascati" || got.Rows[0].Median != 40 || got.Rows[1].Median != 5 {
		t.Errorf("first response medians: %+v", got.Rows)
	}

	if _, err := rd.Report(ctx, to, from); err == nil {
		t.Error("an inverted period was accepted")
	}
	if _, err := rd.Report(ctx, from, to, "colour"); err == nil {
		t.Error("an unknown dimension was accepted")
	}
}

func TestPeriods(t *testing.T) {
	if got := Periods(Week, monday, monday.AddDate(0, 0, 14)); !reflect.DeepEqual(got, []string{"2025-W10", "2025-W11"}) {
		t.Errorf("weeks: %v", got)
	}
	if got := Periods(Day, monday, monday.AddDate(0, 0, 3)); !reflect.DeepEqual(got, []string{"2025-03-03", "2025-03-04", "2025-03-05"}) {
		t.Errorf("days: %v", got)
	}
	if got := Periods(Month, monday, time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)); !reflect.DeepEqual(got, []string{"2025-03", "2025-04"}) {
		t.Errorf("months: %v", got)
	}
}

func row(people int, keys ...string) Row { return Row{Keys: keys, Events: people, People: people} }

func hiddenKeys(t *testing.T, s Suppressed) []string {
	t.Helper()
	var out []string
	for _, c := range s.Rows() {
		if c.Suppressed {
			out = append(out, strings.Join(c.Keys, "/"))
			if c.Events != 0 || c.People != 0 || c.Median != 0 {
				t.Errorf("a hidden cell keeps its numbers: %+v", c)
			}
		}
	}
	return out
}

func TestSuppressPrimaryAndSecondary(t *testing.T) {
	// One dimension: the only small cell is hidden, and so is the next
	// smallest, so that the grand total does not give it away.
	one := Table{By: []Dimension{Topic}, Rows: []Row{
		row(3, "family"), row(20, "health"), row(9, "permits"), row(12, "work"),
	}}
	if got := hiddenKeys(t, Suppress(one, 5)); !reflect.DeepEqual(got, []string{"family", "permits"}) {
		t.Errorf("one dimension: hidden %v", got)
	}
	// Two small cells hide each other: nothing more.
	two := Table{By: []Dimension{Topic}, Rows: []Row{row(3, "family"), row(4, "health"), row(9, "permits")}}
	if got := hiddenKeys(t, Suppress(two, 5)); !reflect.DeepEqual(got, []string{"family", "health"}) {
		t.Errorf("two small cells: hidden %v", got)
	}
	// Nothing small: nothing hidden; a threshold below MinCell is raised.
	none := Table{By: []Dimension{Topic}, Rows: []Row{row(5, "family"), row(6, "health")}}
	if got := hiddenKeys(t, Suppress(none, 5)); got != nil {
		t.Errorf("nothing small: hidden %v", got)
	}
	if got := hiddenKeys(t, Suppress(Table{By: []Dimension{Topic}, Rows: []Row{row(4, "a"), row(4, "b")}}, 2)); len(got) != 2 {
		t.Errorf("min 2 was not raised to %d: hidden %v", MinCell, got)
	}

	// Two dimensions (language × topic): ar/family is small. Its row (ar)
	// loses ar/work (smaller than ar/health); then the family column has
	// one hidden cell, so it/family goes; then the it row has one hidden
	// cell, so the smallest other, it/work, goes; now every row and column
	// has none or two hidden cells, and the grand total hides four.
	grid := Table{By: []Dimension{Lang, Topic}, Rows: []Row{
		row(2, "ar", "family"), row(30, "ar", "health"), row(8, "ar", "work"),
		row(7, "it", "family"), row(40, "it", "health"), row(9, "it", "work"),
		row(50, "en", "health"),
	}}
	s := Suppress(grid, 5)
	want := []string{"ar/family", "ar/work", "it/family", "it/work"}
	if got := hiddenKeys(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("grid: hidden %v, want %v", got, want)
	}
	// No group (row or column) has exactly one hidden cell.
	for d := range 2 {
		groups := map[string]int{}
		for _, c := range s.Rows() {
			k := c.Keys[1-d]
			if _, ok := groups[k]; !ok {
				groups[k] = 0
			}
			if c.Suppressed {
				groups[k]++
			}
		}
		for g, n := range groups {
			if n == 1 {
				t.Errorf("group %q along dimension %d has one hidden cell", g, d)
			}
		}
	}
	if s.Marker() != "<5" {
		t.Errorf("marker %q", s.Marker())
	}
}

// checkCell fails unless v is the marker or a count of at least 5.
func checkCell(t *testing.T, where, v string) {
	t.Helper()
	if v == "<5" {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < MinCell {
		t.Errorf("%s: cell %q is below %d", where, v, MinCell)
	}
}

func TestExportsHideSmallCellsAndPeople(t *testing.T) {
	rec, rd, _ := newRecorder(t)
	seed(t, rec)
	ctx := context.Background()
	tb, err := rd.Query(ctx, Query{From: monday, To: monday.AddDate(0, 0, 14), By: []Dimension{Week, Topic, Lang}})
	if err != nil {
		t.Fatal(err)
	}
	s := Suppress(tb, MinCell)

	var cb, jb bytes.Buffer
	if err := WriteCSV(&cb, s); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&jb, s); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{cb.String(), jb.String()} {
		for n := range 70 {
			if strings.Contains(out, strconv.FormatInt(chatID(n), 10)) || strings.Contains(out, rec.Person(chatID(n))) {
				t.Fatalf("the export names person %d:\n%s", n, out)
			}
		}
	}

	records, err := csv.NewReader(&cb).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"week", "topic", "lang", "events", "people"}; !reflect.DeepEqual(records[0], want) {
		t.Errorf("CSV header %v", records[0])
	}
	var hidden int
	for _, r := range records[1:] {
		checkCell(t, "CSV "+strings.Join(r[:3], "/")+" events", r[3])
		checkCell(t, "CSV "+strings.Join(r[:3], "/")+" people", r[4])
		if r[3] == "<5" {
			hidden++
		}
	}
	if hidden < 2 {
		t.Errorf("%d hidden cells in the CSV, want at least 2 (en/health has 3 people):\n%v", hidden, records)
	}
	if len(records) != 1+len(tb.Rows) {
		t.Errorf("%d CSV rows for %d cells", len(records)-1, len(tb.Rows))
	}

	var doc struct {
		By   []string         `json:"by"`
		Min  int              `json:"min_people"`
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(jb.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Min != 5 || len(doc.Rows) != len(tb.Rows) {
		t.Errorf("JSON: %+v", doc)
	}
	for _, r := range doc.Rows {
		for _, col := range []string{"events", "people"} {
			switch v := r[col].(type) {
			case string:
				checkCell(t, "JSON "+col, v)
			case float64:
				checkCell(t, "JSON "+col, strconv.Itoa(int(v)))
			default:
				t.Errorf("JSON %s is %T", col, v)
			}
		}
	}
}

// checkXML parses the SVG to its end.
func checkXML(t *testing.T, svg string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	var root string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("root element %q", root)
	}
	for _, want := range []string{`role="img"`, "<title "} {
		if !strings.Contains(svg, want) {
			t.Errorf("no %s in %s", want, svg)
		}
	}
	if strings.Contains(strings.ToLower(svg), "<script") {
		t.Errorf("script in %s", svg)
	}
}

func TestCharts(t *testing.T) {
	points := []Point{
		{Label: "permits", Value: 137}, {Label: "health & <care>", Value: 42},
		{Label: "family", Hidden: true, Text: "<5"},
	}
	bar := string(BarChart(points, `Requests "per" topic <&>`))
	checkXML(t, bar)
	for _, want := range []string{">137<", ">42<", ">&lt;5<", "health &amp; &lt;care&gt;", "Requests &#34;per&#34; topic &lt;&amp;&gt;"} {
		if !strings.Contains(bar, want) {
			t.Errorf("bar chart lacks %s:\n%s", want, bar)
		}
	}
	if again := string(BarChart(points, `Requests "per" topic <&>`)); again != bar {
		t.Error("the bar chart is not deterministic")
	}
	checkXML(t, string(BarChart(nil, "empty")))

	x := []string{"2025-W10", "2025-W11", "2025-W12"}
	series := []Series{
		{Name: "permits", Points: []Point{{Value: 8}, {Value: 25}, {Value: 0}}},
		{Name: "health", Points: []Point{{Value: 6}, {Hidden: true, Text: "<5"}, {Value: 11}}},
	}
	line := string(LineChart(series, x, "Over time"))
	checkXML(t, line)
	for _, want := range []string{">25<", ">11<", ">2025-W10<", ">permits<", ">health<"} {
		if !strings.Contains(line, want) {
			t.Errorf("line chart lacks %s:\n%s", want, line)
		}
	}
	checkXML(t, string(LineChart(nil, nil, "empty")))
	checkXML(t, string(LineChart(series[:1], x[:1], "one point")))
}

type fakeTexts map[string]string

func (f fakeTexts) Text(lang, id string, data map[string]any) string { return f[id] }

func TestDashboard(t *testing.T) {
	rec, rd, _ := newRecorder(t)
	seed(t, rec)
	d := &Dashboard{
		Reader: rd,
		Texts:  fakeTexts{"observatory.title": "Osservatorio", "console.topic.permits": "Permesso di soggiorno"},
		Now:    func() time.Time { return monday.AddDate(0, 0, 13).Add(20 * time.Hour) },
	}
	get := func(target string) *httptest.ResponseRecorder {
		t.Helper()
		w := httptest.NewRecorder()
		d.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		return w
	}

	// The default period (the last 30 days) holds every seeded event.
	for _, target := range []string{"/", "/?from=2025-03-03&to=2025-03-16&lang=en"} {
		w := get(target)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", target, w.Code, w.Body)
		}
		page := w.Body.String()
		for _, want := range []string{
			"<title>Osservatorio</title>", "observatory.requests_per_topic", "observatory.unmet_needs",
			"<svg", ">Permesso di soggiorno<", "observatory.dim.lang", "&lt;5", "export.csv?", "observatory.col.median_minutes",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("GET %s: the page lacks %q", target, want)
			}
		}
		if strings.Contains(page, rec.Person(chatID(1))) || strings.Contains(page, strconv.FormatInt(chatID(1), 10)) {
			t.Errorf("GET %s: the page names a person", target)
		}
		if strings.Contains(page, ">permits<") {
			t.Errorf("GET %s: a topic is shown as its code, not in words", target)
		}
	}
	if page := get("/?from=2025-03-03&to=2025-03-16").Body.String(); !strings.Contains(page, "<td>frascati</td><td>7</td><td>7</td><td>40</td>") {
		t.Errorf("the first response table does not show frascati's numbers")
	}

	for _, target := range []string{
		"/?from=2025-13-01", "/?to=yesterday", "/?from=2025-03-10&to=2025-03-01",
		"/?from=2020-01-01&to=2025-01-01", "/export.csv?from=03/03/2025", "/export.json?by=colour", "/export.csv?kind=message",
	} {
		if w := get(target); w.Code != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", target, w.Code)
		}
	}
	if w := get("/secret"); w.Code != http.StatusNotFound {
		t.Errorf("GET /secret: %d", w.Code)
	}

	w := get("/export.csv?from=2025-03-03&to=2025-03-16&by=lang,topic&kind=unmatched")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("export.csv: %d %v", w.Code, w.Header())
	}
	if got, want := w.Body.String(), "lang,topic,events,people\nar,housing,<5,<5\nen,,<5,<5\n"; got != want {
		// ar/housing has 6 people but is hidden with en (2): the grand
		// total of unmatched questions would give en away.
		t.Errorf("export.csv:\n%s\nwant\n%s", got, want)
	}
	w = get("/export.json?from=2025-03-03&to=2025-03-16&by=help_point&kind=first_response")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"median_value": 40`) {
		t.Errorf("export.json: %d %s", w.Code, w.Body)
	}
}
