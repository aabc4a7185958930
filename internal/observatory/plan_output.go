package observatory

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/csvrows"
)

// The plan's outputs, all made from the same suppressed PlanTables: a
// printable page (GET plan), a workbook with one sheet per table and a
// data dictionary sheet (GET plan.xlsx), each table as CSV (GET
// plan.csv?table=ID) and the data dictionary as CSV (GET
// plan-dictionary.csv). Texts are the console's, ids "observatory.plan.*".

// planColumns are every column code a plan table may have, in the order
// of the data dictionary.
var planColumns = []string{
	"district", "help_point", "topic", "lang", "kind", "bucket",
	"events", "people", "people_previous", "people_last_year", "change_previous",
	"median_minutes", "median_minutes_previous",
	"category", "services", "open_hours_per_week", "languages", "category_without_service",
	"town", "level", "time_of_day", "courses", "seats", "enrolled", "waiting", "free_seats", "missing_places",
}

// DataDictionary returns the dictionary rows (column, meaning) in lang.
func (d *Dashboard) DataDictionary(lang string) [][]string {
	rows := [][]string{{"column", d.text(lang, "observatory.plan.dictionary_meaning", nil)}}
	for _, c := range planColumns {
		rows = append(rows, []string{c, d.text(lang, "observatory.plan.col."+c, map[string]any{"Min": MinCell})})
	}
	return rows
}

// plan builds the plan the request's query asks for.
func (d *Dashboard) plan(r *http.Request) (*Plan, string, error) {
	q := r.URL.Query()
	from, to, err := d.period(q.Get("from"), q.Get("to"))
	if err != nil {
		return nil, "", badRequest{err.Error()}
	}
	ctx := r.Context()
	districts, err := LoadDistricts(ctx, d.Reader.st)
	if err != nil {
		return nil, "", err
	}
	district := q.Get("district")
	if district != "" {
		known := false
		for _, di := range districts.List() {
			known = known || di.ID == district
		}
		if !known {
			return nil, "", badRequest{"district: unknown"}
		}
	}
	var res Resources
	if d.Resources != nil {
		if res, err = d.Resources(ctx); err != nil {
			return nil, "", err
		}
	}
	p, err := d.Reader.BuildPlan(ctx, PlanRequest{From: from, To: to, District: district}, districts, res)
	return p, district, err
}

// servePlan answers the plan's four paths; name is the last path element.
func (d *Dashboard) servePlan(w http.ResponseWriter, r *http.Request, name string) {
	lang := r.URL.Query().Get("lang")
	if lang == "" || !codeRE.MatchString(lang) {
		lang = orDefault(d.Lang, "it")
	}
	if name == "plan-dictionary.csv" {
		d.sendCSV(w, r, "observatory-dictionary.csv", d.DataDictionary(lang))
		return
	}
	p, district, err := d.plan(r)
	var bad badRequest
	if errors.As(err, &bad) {
		http.Error(w, bad.msg, http.StatusBadRequest)
		return
	}
	if err != nil {
		d.fail(w, r.Context(), err)
		return
	}
	base := fmt.Sprintf("plan-%s-%s-%s", orDefault(district, "area"), p.Request.From.Format(time.DateOnly), p.Request.To.AddDate(0, 0, -1).Format(time.DateOnly))
	switch name {
	case "plan.csv":
		id := r.URL.Query().Get("table")
		for _, t := range p.Tables {
			if t.ID == id {
				d.sendCSV(w, r, base+"-"+id+".csv", append([][]string{t.Header}, t.Rows...))
				return
			}
		}
		http.Error(w, "table: unknown", http.StatusBadRequest)
	case "plan.xlsx":
		sheets := make([]csvrows.Sheet, 0, len(p.Tables)+1)
		for _, t := range p.Tables {
			sheets = append(sheets, csvrows.Sheet{Name: t.ID, Rows: append([][]string{t.Header}, t.Rows...)})
		}
		sheets = append(sheets, csvrows.Sheet{Name: "dictionary", Rows: d.DataDictionary(lang)})
		var buf bytes.Buffer
		if err := csvrows.WriteXLSX(&buf, sheets); err != nil {
			d.fail(w, r.Context(), err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, base))
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	default:
		d.planPage(w, r, p, lang)
	}
}

// chartWords returns t's chart with each label written as words in
// lang (topics, languages, kinds, categories, outcomes, districts, towns,
// times of day); codes without a text stay codes.
func (d *Dashboard) chartWords(lang string, districts *Districts, t PlanTable) []Point {
	out := make([]Point, len(t.Chart))
	for i, p := range t.Chart {
		if i < len(t.ChartCodes) {
			words := make([]string, len(t.ChartCodes[i]))
			for j, c := range t.ChartCodes[i] {
				words[j] = d.chartLabel(lang, districts, c)
			}
			p.Label = strings.Join(words, " · ")
		}
		out[i] = p
	}
	return out
}

// chartLabel writes one code of a chart label as a word.
func (d *Dashboard) chartLabel(lang string, districts *Districts, c LabelCode) string {
	if c.Code == "" {
		return "-"
	}
	var id string
	switch c.Of {
	case string(Topic), string(Lang), string(KindDim):
		return d.valueLabel(lang, Dimension(c.Of), c.Code)
	case "district":
		for _, di := range districts.List() {
			if di.ID == c.Code && di.Name != "" {
				return di.Name
			}
		}
		return c.Code
	case "town":
		for _, r := range districts.Rows {
			if r.Town == c.Code && r.TownName != "" {
				return r.TownName
			}
		}
		return c.Code
	case "level":
		return strings.ToUpper(c.Code)
	case "category":
		id = "console.category." + c.Code
	case "outcome":
		id = "console.outcome." + strings.ReplaceAll(c.Code, "-", "_")
	case "time_of_day":
		id = "observatory.plan.time_of_day." + c.Code
	default:
		return c.Code
	}
	if d.Texts != nil {
		if s := d.Texts.Text(lang, id, nil); s != "" && !strings.HasPrefix(s, "[") {
			return s
		}
	}
	return c.Code
}

// badRequest is a problem with the request's parameters (400), not the
// store's (500).
type badRequest struct{ msg string }

func (b badRequest) Error() string { return b.msg }

func (d *Dashboard) sendCSV(w http.ResponseWriter, r *http.Request, filename string, rows [][]string) {
	var buf bytes.Buffer
	cw := csvrows.NewWriter(&buf)
	for _, rec := range rows {
		_ = cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		d.fail(w, r.Context(), err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

type planSection struct {
	ID, Title, Note string
	Chart           template.HTML
	Header          []string
	Rows            [][]string
	CSV             string
}

type planPageData struct {
	Lang, Title, Period, Scope, Confirm, Note, From, To, District string
	Show, XLSX, Dictionary, Area, Print, Compare                  string
	Districts                                                     []DistrictInfo
	Sections                                                      []planSection
}

func (d *Dashboard) planPage(w http.ResponseWriter, r *http.Request, p *Plan, lang string) {
	tx := func(id string, data map[string]any) string { return d.text(lang, "observatory.plan."+id, data) }
	last := p.Request.To.AddDate(0, 0, -1)
	v := url.Values{"from": {p.Request.From.Format(time.DateOnly)}, "to": {last.Format(time.DateOnly)}, "district": {p.Request.District}, "lang": {lang}}
	scope := tx("whole_area", nil)
	if p.Request.District != "" && len(p.Districts) == 1 {
		scope = tx("district", map[string]any{"Name": p.Districts[0].Name, "Lead": p.Districts[0].LeadTown})
	}
	periods := p.Request.periods()
	data := planPageData{
		Lang: lang, Title: tx("title", nil), Scope: scope,
		Period: d.text(lang, "observatory.period", map[string]any{"From": v.Get("from"), "To": v.Get("to")}),
		Compare: tx("compare", map[string]any{
			"PrevFrom": periods[1][0].Format(time.DateOnly), "PrevTo": periods[1][1].AddDate(0, 0, -1).Format(time.DateOnly),
			"YearFrom": periods[2][0].Format(time.DateOnly), "YearTo": periods[2][1].AddDate(0, 0, -1).Format(time.DateOnly)}),
		Note: d.text(lang, "observatory.suppressed_note", map[string]any{"Min": MinCell}),
		From: v.Get("from"), To: v.Get("to"), District: p.Request.District,
		Show: d.text(lang, "observatory.show", nil), XLSX: tx("xlsx", nil), Dictionary: tx("dictionary", nil),
		Area: tx("whole_area", nil), Print: tx("print", nil),
	}
	if p.Unconfirmed {
		data.Confirm = tx("unconfirmed", nil)
	}
	districts, err := LoadDistricts(r.Context(), d.Reader.st)
	if err != nil {
		d.fail(w, r.Context(), err)
		return
	}
	data.Districts = districts.List()
	for _, t := range p.Tables {
		sec := planSection{ID: t.ID, Title: tx("table."+t.ID, nil), Rows: t.Rows}
		for _, h := range t.Header {
			sec.Header = append(sec.Header, tx("col."+h, map[string]any{"Min": MinCell}))
		}
		sec.Chart = BarChart(d.chartWords(lang, districts, t), sec.Title)
		cv := url.Values{"from": {data.From}, "to": {data.To}, "district": {data.District}, "table": {t.ID}}
		sec.CSV = "plan.csv?" + cv.Encode()
		data.Sections = append(data.Sections, sec)
	}
	var buf bytes.Buffer
	if err := planTemplate.Execute(&buf, data); err != nil {
		d.fail(w, r.Context(), err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

var planTemplate = template.Must(template.New("plan").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · {{.Scope}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1rem auto; max-width: 72rem; padding: 0 1rem; color: #111; }
section { border-top: 1px solid #999; padding-top: .5rem; break-inside: avoid; page-break-inside: avoid; }
h2 { font-size: 1.05rem; margin: .3rem 0; }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: .85rem; margin: .3rem 0 1rem; }
th, td { border: 1px solid #bbb; padding: .15rem .4rem; text-align: left; }
.warn { border: 2px solid #b35900; padding: .4rem; }
@media print {
  form, .links { display: none; }
  body { max-width: none; margin: 0; font-size: 10pt; }
  @page { size: A4; margin: 12mm; }
  a { color: inherit; text-decoration: none; }
}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p><strong>{{.Scope}}</strong> · {{.Period}}</p>
<p>{{.Compare}}</p>
{{if .Confirm}}<p class="warn">{{.Confirm}}</p>{{end}}
<p>{{.Note}}</p>
<form method="get" action="plan">
<input type="hidden" name="lang" value="{{.Lang}}">
<input type="date" name="from" value="{{.From}}" required> – <input type="date" name="to" value="{{.To}}" required>
<select name="district"><option value="">{{.Area}}</option>{{range .Districts}}<option value="{{.ID}}"{{if eq .ID $.District}} selected{{end}}>{{.Name}}</option>{{end}}</select>
<button>{{.Show}}</button>
</form>
<p class="links"><a href="plan.xlsx?from={{.From}}&amp;to={{.To}}&amp;district={{.District}}&amp;lang={{.Lang}}">{{.XLSX}}</a> · <a href="plan-dictionary.csv?lang={{.Lang}}">{{.Dictionary}}</a> · <a href="javascript:print()">{{.Print}}</a></p>
{{range .Sections}}
<section id="{{.ID}}">
<h2>{{.Title}}</h2>
{{.Chart}}
<table><thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table>
<p class="links"><a href="{{.CSV}}">CSV</a></p>
</section>
{{end}}
</body>
</html>
`))
