package observatory

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Texts gives the dashboard its words; locales.Catalog satisfies it. Every
// id the dashboard uses starts with "observatory.".
type Texts interface {
	Text(lang, id string, data map[string]any) string
}

// MaxDays is the longest period the dashboard and the exports accept.
const MaxDays = 731

// Dashboard is the observatory's web page (GET /) and its exports (GET
// /export.csv and /export.json). It does no authentication: the console
// mounts it behind its own (with http.StripPrefix, or at a path ending in
// "/": the handler looks only at the last path element).
//
// Query parameters: from and to (YYYY-MM-DD, both days included; default
// the last 30 days), lang (of the page's texts), and for the exports by
// (comma-separated dimensions, default "kind") and kind (comma-separated
// kinds, default all). Every table shown or exported is suppressed.
type Dashboard struct {
	Reader *Reader
	// Texts may be nil: the page then shows the text ids.
	Texts Texts
	// Lang is the default language of the page; empty is "it".
	Lang string
	// Logger receives store errors; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Resources gives the plan (GET plan) the services and courses to set
	// against needs; nil shows needs only.
	Resources func(ctx context.Context) (Resources, error)
}

// ServeHTTP answers GET /, /export.csv and /export.json.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	switch name {
	case "", "export.csv", "export.json":
	case "plan", "plan.xlsx", "plan.csv", "plan-dictionary.csv":
		d.servePlan(w, r, name)
		return
	default:
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	from, to, err := d.period(q.Get("from"), q.Get("to"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if name == "" {
		d.page(w, r, from, to)
		return
	}
	query := Query{From: from, To: to, By: []Dimension{KindDim}}
	if v := q.Get("by"); v != "" {
		if query.By, err = ParseDimensions(v); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	for k := range strings.SplitSeq(q.Get("kind"), ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if !Kind(k).Valid() {
			http.Error(w, fmt.Sprintf("unknown kind %q", k), http.StatusBadRequest)
			return
		}
		query.Kinds = append(query.Kinds, Kind(k))
	}
	query.Median = len(query.Kinds) > 0 && !slices.ContainsFunc(query.Kinds, func(k Kind) bool { return k != KindFirstResponse })
	t, err := d.Reader.Query(r.Context(), query)
	if err != nil {
		d.fail(w, r.Context(), err)
		return
	}
	s := Suppress(t, MinCell)
	var buf bytes.Buffer
	write, ctype, ext := WriteJSON, "application/json; charset=utf-8", "json"
	if name == "export.csv" {
		write, ctype, ext = WriteCSV, "text/csv; charset=utf-8", "csv"
	}
	if err := write(&buf, s); err != nil {
		d.fail(w, r.Context(), err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="observatory-%s-%s.%s"`,
		from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly), ext))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// period reads from and to (days, both included) into [from, to+1 day).
func (d *Dashboard) period(fromS, toS string) (time.Time, time.Time, error) {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	today := now().UTC().Truncate(24 * time.Hour)
	to := today
	if toS != "" {
		t, err := time.Parse(time.DateOnly, toS)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("to: not a date YYYY-MM-DD")
		}
		to = t
	}
	from := to.AddDate(0, 0, -29)
	if fromS != "" {
		t, err := time.Parse(time.DateOnly, fromS)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("from: not a date YYYY-MM-DD")
		}
		from = t
	}
	to = to.AddDate(0, 0, 1)
	switch {
	case !from.Before(to):
		return time.Time{}, time.Time{}, fmt.Errorf("from is after to")
	case to.Sub(from) > MaxDays*24*time.Hour:
		return time.Time{}, time.Time{}, fmt.Errorf("the period is longer than %d days", MaxDays)
	}
	return from, to, nil
}

func (d *Dashboard) fail(w http.ResponseWriter, ctx context.Context, err error) {
	if d.Logger != nil {
		d.Logger.ErrorContext(ctx, "observatory: dashboard", "err", err)
	}
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// valueLabel writes a key of a dimension as words in the console's
// language (a topic, a language, an event kind); other keys, and codes
// with no text, are shown as they are.
func (d *Dashboard) valueLabel(lang string, dim Dimension, key string) string {
	var id string
	switch dim {
	case Topic:
		id = "console.topic." + key
	case Lang:
		id = "console.langname." + key
	case KindDim:
		id = "observatory.kind." + key
	default:
		return key
	}
	if key == "" || d.Texts == nil {
		return key
	}
	if s := d.Texts.Text(lang, id, nil); s != "" && !strings.HasPrefix(s, "[") {
		return s
	}
	return key
}

// text returns the id's text, or the id itself when there is none.
func (d *Dashboard) text(lang, id string, data map[string]any) string {
	if d.Texts == nil {
		return id
	}
	if s := d.Texts.Text(lang, id, data); s != "" {
		return s
	}
	return id
}

// section is one chart with its table on the page.
type section struct {
	ID, Title string
	Chart     template.HTML
	Headers   []string
	Rows      [][]string
	CSV, JSON string
}

type pageData struct {
	Lang, Title, Period, FromLabel, ToLabel, Show, Note, NoData, CSVLabel, JSONLabel string
	PlanLabel, PlanLink                                                              string
	From, To                                                                         string
	Sections                                                                         []section
}

func (d *Dashboard) page(w http.ResponseWriter, r *http.Request, from, to time.Time) {
	lang := r.URL.Query().Get("lang")
	if lang == "" || !codeRE.MatchString(lang) {
		lang = orDefault(d.Lang, "it")
	}
	tx := func(id string, data map[string]any) string { return d.text(lang, "observatory."+id, data) }
	last := to.AddDate(0, 0, -1)
	data := pageData{
		Lang: lang, Title: tx("title", nil),
		Period:    tx("period", map[string]any{"From": from.Format(time.DateOnly), "To": last.Format(time.DateOnly)}),
		FromLabel: tx("from", nil), ToLabel: tx("to", nil), Show: tx("show", nil),
		Note:     tx("suppressed_note", map[string]any{"Min": MinCell}),
		NoData:   tx("no_data", nil),
		CSVLabel: tx("export_csv", nil), JSONLabel: tx("export_json", nil),
		PlanLabel: tx("plan.link", nil),
		From:      from.Format(time.DateOnly), To: last.Format(time.DateOnly),
	}
	data.PlanLink = "plan?" + url.Values{"from": {data.From}, "to": {data.To}, "lang": {lang}}.Encode()
	period := Day
	switch days := to.Sub(from).Hours() / 24; {
	case days > 183:
		period = Month
	case days > 31:
		period = Week
	}
	specs := []struct {
		id   string
		q    Query
		line bool
	}{
		{"requests_per_topic", RequestsPerTopic(from, to, period), true},
		{"unmet_needs", UnmetNeeds(from, to), false},
		{"escalations", Escalations(from, to), false},
		{"first_response", FirstResponse(from, to), false},
		{"outcomes", Outcomes(from, to), false},
		{"course_demand", CourseDemand(from, to), false},
	}
	qs := make([]Query, len(specs))
	for i, sp := range specs {
		qs[i] = sp.q
	}
	tables, err := d.Reader.QueryAll(r.Context(), qs)
	if err != nil {
		d.fail(w, r.Context(), err)
		return
	}
	for i, sp := range specs {
		s := Suppress(tables[i], MinCell).Labelled(func(dim Dimension, key string) string { return d.valueLabel(lang, dim, key) })
		sec := section{ID: sp.id, Title: tx(sp.id, nil)}
		switch {
		case sp.line:
			sec.Chart = LineChart(s.Lines(Periods(period, from, to)), Periods(period, from, to), sec.Title)
		case s.HasMedian():
			sec.Chart = BarChart(s.MedianBars(), sec.Title)
		default:
			sec.Chart = BarChart(s.Bars(), sec.Title)
		}
		for _, dim := range s.By() {
			sec.Headers = append(sec.Headers, tx("dim."+string(dim), nil))
		}
		sec.Headers = append(sec.Headers, tx("col.events", nil), tx("col.people", nil))
		if s.HasMedian() {
			sec.Headers = append(sec.Headers, tx("col.median_minutes", nil))
		}
		for _, c := range s.Rows() {
			row := make([]string, 0, len(c.Keys)+3)
			for _, k := range c.Keys {
				row = append(row, orDefault(k, "-"))
			}
			row = append(row, s.EventsText(c), s.PeopleText(c))
			if s.HasMedian() {
				row = append(row, s.MedianText(c))
			}
			sec.Rows = append(sec.Rows, row)
		}
		v := url.Values{"from": {data.From}, "to": {data.To}, "by": {joinDims(sp.q.By)}, "kind": {joinKinds(sp.q.Kinds)}}
		sec.CSV, sec.JSON = "export.csv?"+v.Encode(), "export.json?"+v.Encode()
		data.Sections = append(data.Sections, sec)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		d.fail(w, r.Context(), err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

func orDefault(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func joinDims(ds []Dimension) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = string(d)
	}
	return strings.Join(s, ",")
}

func joinKinds(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ",")
}

// Bars turns the table's cells into bars of events, one per cell, labelled
// with the keys ("a · b"); hidden cells show the marker.
func (s Suppressed) Bars() []Point {
	var out []Point
	for _, c := range s.rows {
		out = append(out, Point{Label: keysLabel(c.Keys), Value: float64(c.Events), Text: s.EventsText(c), Hidden: c.Suppressed})
	}
	return out
}

// MedianBars is Bars with the median Value instead of the events.
func (s Suppressed) MedianBars() []Point {
	var out []Point
	for _, c := range s.rows {
		out = append(out, Point{Label: keysLabel(c.Keys), Value: c.Median, Text: s.MedianText(c), Hidden: c.Suppressed})
	}
	return out
}

// Lines turns a table whose first dimension is a period into one series
// per value of the other keys, aligned with the periods x (see Periods);
// a period without events is 0.
func (s Suppressed) Lines(x []string) []Series {
	if len(s.by) == 0 || !s.by[0].IsPeriod() {
		return nil
	}
	index := map[string]int{}
	var out []Series
	pos := map[string]int{}
	for i, p := range x {
		pos[p] = i
	}
	for _, c := range s.rows {
		name := keysLabel(c.Keys[1:])
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			pts := make([]Point, len(x))
			for j := range pts {
				pts[j] = Point{Text: "0"}
			}
			out = append(out, Series{Name: name, Points: pts})
		}
		if j, ok := pos[c.Keys[0]]; ok {
			out[i].Points[j] = Point{Value: float64(c.Events), Text: s.EventsText(c), Hidden: c.Suppressed}
		}
	}
	slices.SortFunc(out, func(a, b Series) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func keysLabel(keys []string) string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = orDefault(k, "-")
	}
	return strings.Join(s, " · ")
}

var pageTemplate = template.Must(template.New("observatory").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1rem auto; max-width: 72rem; padding: 0 1rem; }
section { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; border-top: 1px solid #ccc; padding-top: .5rem; }
section h2 { flex-basis: 100%; margin: .25rem 0; font-size: 1.1rem; }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<form method="get" action="">
<label>{{.FromLabel}} <input type="date" name="from" value="{{.From}}"></label>
<label>{{.ToLabel}} <input type="date" name="to" value="{{.To}}"></label>
<input type="hidden" name="lang" value="{{.Lang}}">
<button type="submit">{{.Show}}</button>
</form>
<p>{{.Period}}</p>
<p>{{.Note}}</p>
<p><a href="{{.PlanLink}}">{{.PlanLabel}}</a></p>
{{range .Sections}}
<section id="{{.ID}}">
<h2>{{.Title}}</h2>
<div>{{.Chart}}</div>
<div>
{{if .Rows}}<table>
<thead><tr>{{range .Headers}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody>
</table>{{else}}<p>{{$.NoData}}</p>{{end}}
<p><a href="{{.CSV}}">{{$.CSVLabel}}</a> · <a href="{{.JSON}}">{{$.JSONLabel}}</a></p>
</div>
</section>
{{end}}
</body>
</html>
`))
