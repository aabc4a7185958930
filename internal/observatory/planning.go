package observatory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The report for a district meeting (Piano di zona): needs against
// resources for one district or the whole area, over a chosen period,
// compared with the period before and the same period a year earlier.
// Every count of people or events in it has passed SuppressTogether over
// the three periods; resources (services, seats) are not about people
// and are shown whole, but waiting and enrolled people per course group
// are suppressed like any other count.

// DistrictDim groups by social-health district (see Districts.Of). It is
// only known to reports that have a district table (the plan, and Query
// when the Reader has one).
const DistrictDim Dimension = "district"

// ServiceInfo is what the plan needs of a directory service.
type ServiceInfo struct {
	Category string
	// Town is the service's municipality as written ("Velletri"); empty
	// for national services (helplines).
	Town         string
	HoursPerWeek float64
	Languages    []string
}

// CourseInfo is what the plan needs of a course, with its counts now.
type CourseInfo struct {
	Site, Level string
	// TimeOfDay is "morning" (starting before 12:00), "afternoon"
	// (before 17:00) or "evening".
	TimeOfDay                string
	Seats, Enrolled, Waiting int
}

// TimeOfDay classifies a course start "HH:MM".
func TimeOfDay(start string) string {
	switch {
	case start < "12:00":
		return "morning"
	case start < "17:00":
		return "afternoon"
	}
	return "evening"
}

// Resources are the services and courses the plan sets against needs.
type Resources struct {
	Services []ServiceInfo
	Courses  []CourseInfo
	// Categories are every service category, in display order (gaps are
	// the categories with no service in a district).
	Categories []string
}

// PlanRequest asks for a plan.
type PlanRequest struct {
	// From and To bound the period (To not included).
	From, To time.Time
	// District is a district code; empty is the whole area.
	District string
	// Min is the suppression threshold (at least MinCell).
	Min int
}

// Periods of a plan: the period asked for, the one of the same length
// just before, and the same dates a year earlier.
func (p PlanRequest) periods() [3][2]time.Time {
	length := p.To.Sub(p.From)
	return [3][2]time.Time{
		{p.From, p.To},
		{p.From.Add(-length), p.From},
		{p.From.AddDate(-1, 0, 0), p.To.AddDate(-1, 0, 0)},
	}
}

// PlanTable is one table of a plan, ready to print or export: every cell
// is text, suppressed counts read the marker.
type PlanTable struct {
	// ID names the table (sheet names, CSV section, text ids).
	ID string
	// Header names the columns (column codes, see DataDictionary).
	Header []string
	Rows   [][]string
	// Chart is what the page draws for the table (current period,
	// visible cells only), labelled with codes.
	Chart []Point
	// ChartCodes says what each chart label is made of, one slice per
	// point of Chart, so the page can write it as words in the console's
	// language (see Dashboard.chartLabel); exports keep the codes.
	ChartCodes [][]LabelCode
}

// LabelCode is one code of a chart label and what it is a code of: a
// Dimension name ("topic", "lang", "kind", "district", "help_point") or
// "category", "outcome", "level", "town", "time_of_day".
type LabelCode struct{ Of, Code string }

// needLabelKind is what a key of a need table is a code of: buckets are
// outcomes, service categories or course levels depending on the table.
func needLabelKind(id string, d Dimension) string {
	if d != Bucket {
		return string(d)
	}
	switch id {
	case "cases_by_outcome":
		return "outcome"
	case "referrals_by_category":
		return "category"
	case "course_demand":
		return "level"
	}
	return string(d)
}

// Plan is the report for one district or the whole area.
type Plan struct {
	Request   PlanRequest
	Districts []DistrictInfo
	// Unconfirmed is true when the district table says "to be confirmed"
	// for a district in the report.
	Unconfirmed bool
	Tables      []PlanTable
	Marker      string
}

// needSpec is one comparison table of needs.
type needSpec struct {
	id     string
	kinds  []Kind
	by     []Dimension
	median bool
}

func needSpecs(area bool) []needSpec {
	place := HelpPoint
	if area {
		place = DistrictDim
	}
	return []needSpec{
		{id: "requests_by_topic", kinds: []Kind{KindTopicView}, by: []Dimension{Topic}},
		{id: "requests_by_language", kinds: []Kind{KindTopicView}, by: []Dimension{Lang}},
		{id: "requests_by_place", kinds: []Kind{KindTopicView, KindEscalation}, by: []Dimension{place}},
		{id: "not_understood", kinds: []Kind{KindUnmatched}, by: []Dimension{Topic, Lang}},
		{id: "cases_by_outcome", kinds: []Kind{KindCaseClosed}, by: []Dimension{Bucket}},
		{id: "referrals_by_category", kinds: []Kind{KindReferral}, by: []Dimension{Bucket}},
		{id: "time_to_first_answer", kinds: []Kind{KindFirstResponse}, by: []Dimension{place}, median: true},
		{id: "course_demand", kinds: []Kind{KindEnrolment, KindWaitingList}, by: []Dimension{KindDim, HelpPoint, Bucket}},
	}
}

// BuildPlan computes the plan: one read of the three periods together,
// from the day views (see views.go), feeds every table.
func (r *Reader) BuildPlan(ctx context.Context, req PlanRequest, districts *Districts, res Resources) (*Plan, error) {
	if !req.From.Before(req.To) {
		return nil, fmt.Errorf("observatory: empty period %s..%s", req.From, req.To)
	}
	if districts == nil {
		districts = ShippedDistricts()
	}
	area := req.District == ""
	specs := needSpecs(area)
	key := func(d Dimension, e Event) string {
		if d == DistrictDim {
			return districts.Of(e)
		}
		return d.key(e)
	}
	keep := func(Event) bool { return true }
	if !area {
		keep = func(e Event) bool { return districts.Of(e) == req.District }
	}
	var qs []tableQuery
	for _, span := range req.periods() {
		for _, sp := range specs {
			qs = append(qs, tableQuery{Query: Query{From: span[0], To: span[1], Kinds: sp.kinds, By: sp.by, Median: sp.median}, key: key, keep: keep})
		}
	}
	all, err := r.tables(ctx, qs)
	if err != nil {
		return nil, err
	}
	var tables [3][]Table
	for p := range tables {
		tables[p] = all[p*len(specs) : (p+1)*len(specs)]
	}
	min := max(req.Min, MinCell)
	plan := &Plan{Request: req, Marker: "<" + strconv.Itoa(min)}
	for _, di := range districts.List() {
		if area || di.ID == req.District {
			plan.Districts = append(plan.Districts, di)
			plan.Unconfirmed = plan.Unconfirmed || !di.Confirmed
		}
	}
	for i, sp := range specs {
		sup := SuppressTogether(min, tables[0][i], tables[1][i], tables[2][i])
		plan.Tables = append(plan.Tables, comparison(sp, sup))
	}
	plan.Tables = append(plan.Tables, servicesTable(req, districts, res), gapsTable(req, districts, res), coursesTable(req, districts, res, min))
	return plan, nil
}

// comparison lays three suppressed periods side by side: for each key,
// people now, before, a year ago, and the change from before (only when
// both are shown).
func comparison(sp needSpec, sup []Suppressed) PlanTable {
	t := PlanTable{ID: sp.id}
	for _, d := range sp.by {
		t.Header = append(t.Header, string(d))
	}
	t.Header = append(t.Header, "events", "people", "people_previous", "people_last_year", "change_previous")
	if sp.median {
		t.Header = append(t.Header, "median_minutes", "median_minutes_previous")
	}
	type trio [3]*Cell
	rows := map[string]*trio{}
	var keys [][]string
	for p, s := range sup {
		for _, c := range s.Rows() {
			k := cellKey(c.Keys)
			if rows[k] == nil {
				rows[k] = &trio{}
				keys = append(keys, c.Keys)
			}
			cc := c
			rows[k][p] = &cc
		}
	}
	slices.SortFunc(keys, slices.Compare)
	marker := sup[0].Marker()
	text := func(c *Cell, v func(Cell) string) string {
		switch {
		case c == nil:
			return "0"
		case c.Suppressed:
			return marker
		}
		return v(*c)
	}
	people := func(c Cell) string { return strconv.Itoa(c.People) }
	for _, k := range keys {
		tr := rows[cellKey(k)]
		row := make([]string, 0, len(t.Header))
		for _, v := range k {
			row = append(row, cmp.Or(v, "-"))
		}
		change := ""
		cur, prev := tr[0], tr[1]
		if (cur == nil || !cur.Suppressed) && (prev == nil || !prev.Suppressed) {
			a, b := 0, 0
			if cur != nil {
				a = cur.People
			}
			if prev != nil {
				b = prev.People
			}
			change = fmt.Sprintf("%+d", a-b)
		} else {
			change = marker
		}
		row = append(row, text(cur, func(c Cell) string { return strconv.Itoa(c.Events) }),
			text(cur, people), text(prev, people), text(tr[2], people), change)
		if sp.median {
			med := func(c Cell) string { return strconv.FormatFloat(c.Median, 'f', -1, 64) }
			row = append(row, text(cur, med), text(prev, med))
		}
		t.Rows = append(t.Rows, row)
		if cur != nil && !cur.Suppressed {
			v := float64(cur.People)
			if sp.median {
				v = cur.Median
			}
			t.Chart = append(t.Chart, Point{Label: keysLabel(k), Value: v})
			codes := make([]LabelCode, len(k))
			for i, d := range sp.by {
				codes[i] = LabelCode{Of: needLabelKind(sp.id, d), Code: k[i]}
			}
			t.ChartCodes = append(t.ChartCodes, codes)
		}
	}
	return t
}

// inDistrict reports whether a town belongs to the plan's district (or,
// for the whole area, to any district of the table).
func inDistrict(req PlanRequest, districts *Districts, town string) (string, bool) {
	d := districts.DistrictOfTown(town)
	if req.District == "" {
		return d, true
	}
	return d, d == req.District
}

// servicesTable: services per category (and district for the area), open
// hours per week and languages spoken. National services are counted
// apart (district "national").
func servicesTable(req PlanRequest, districts *Districts, res Resources) PlanTable {
	t := PlanTable{ID: "services_by_category", Header: []string{"district", "category", "services", "open_hours_per_week", "languages"}}
	type agg struct {
		n     int
		hours float64
		langs map[string]bool
	}
	by := map[[2]string]*agg{}
	for _, s := range res.Services {
		d, ok := "national", true
		if s.Town != "" {
			d, ok = inDistrict(req, districts, s.Town)
			d = cmp.Or(d, "unknown")
		}
		if !ok {
			continue
		}
		k := [2]string{d, s.Category}
		a := by[k]
		if a == nil {
			a = &agg{langs: map[string]bool{}}
			by[k] = a
		}
		a.n++
		a.hours += s.HoursPerWeek
		for _, l := range s.Languages {
			a.langs[l] = true
		}
	}
	keys := make([][2]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	for _, k := range keys {
		a := by[k]
		langs := make([]string, 0, len(a.langs))
		for l := range a.langs {
			langs = append(langs, l)
		}
		slices.Sort(langs)
		t.Rows = append(t.Rows, []string{k[0], k[1], strconv.Itoa(a.n), strconv.FormatFloat(a.hours, 'f', 1, 64), strings.Join(langs, " ")})
		t.Chart = append(t.Chart, Point{Label: k[0] + " " + k[1], Value: float64(a.n)})
		t.ChartCodes = append(t.ChartCodes, []LabelCode{{Of: "district", Code: k[0]}, {Of: "category", Code: k[1]}})
	}
	return t
}

// gapsTable: for each district of the plan, the categories with no
// service in its towns (national services do not fill a gap: they are not
// a place to go).
func gapsTable(req PlanRequest, districts *Districts, res Resources) PlanTable {
	t := PlanTable{ID: "gaps", Header: []string{"district", "category_without_service"}}
	has := map[[2]string]bool{}
	for _, s := range res.Services {
		if s.Town != "" {
			has[[2]string{districts.DistrictOfTown(s.Town), s.Category}] = true
		}
	}
	for _, di := range districts.List() {
		if req.District != "" && di.ID != req.District {
			continue
		}
		for _, c := range res.Categories {
			if !has[[2]string{di.ID, c}] {
				t.Rows = append(t.Rows, []string{di.ID, c})
			}
		}
	}
	return t
}

// coursesTable: per town, level and time of day, seats against enrolled
// and waiting people; "missing" is the waiting people beyond the free
// seats ("31 waiting for A1 evening in Velletri; 0 seats"). People counts
// from 1 to min-1 read the marker, and so does "missing" when it is built
// on a hidden count.
func coursesTable(req PlanRequest, districts *Districts, res Resources, min int) PlanTable {
	t := PlanTable{ID: "missing_courses", Header: []string{"district", "town", "level", "time_of_day", "courses", "seats", "enrolled", "waiting", "free_seats", "missing_places"}}
	type agg struct{ n, seats, enrolled, waiting int }
	by := map[[4]string]*agg{}
	for _, c := range res.Courses {
		d, ok := inDistrict(req, districts, c.Site)
		if !ok {
			continue
		}
		town := cmp.Or(districts.TownOf(c.Site), c.Site)
		k := [4]string{cmp.Or(d, "unknown"), town, c.Level, c.TimeOfDay}
		a := by[k]
		if a == nil {
			a = &agg{}
			by[k] = a
		}
		a.n++
		a.seats += c.Seats
		a.enrolled += c.Enrolled
		a.waiting += c.Waiting
	}
	keys := make([][4]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [4]string) int { return slices.Compare(a[:], b[:]) })
	marker := "<" + strconv.Itoa(min)
	small := func(n int) bool { return n > 0 && n < min }
	show := func(n int) string {
		if small(n) {
			return marker
		}
		return strconv.Itoa(n)
	}
	for _, k := range keys {
		a := by[k]
		free := max(0, a.seats-a.enrolled)
		missing := max(0, a.waiting-free)
		missingText := strconv.Itoa(missing)
		if small(a.waiting) || small(a.enrolled) || small(missing) {
			missingText = marker
		}
		freeText := strconv.Itoa(free)
		if small(a.enrolled) {
			freeText = marker
		}
		t.Rows = append(t.Rows, []string{k[0], k[1], k[2], k[3], strconv.Itoa(a.n), strconv.Itoa(a.seats),
			show(a.enrolled), show(a.waiting), freeText, missingText})
		if missingText != marker && missing > 0 {
			t.Chart = append(t.Chart, Point{Label: strings.Join([]string{k[1], k[2], k[3]}, " "), Value: float64(missing)})
			t.ChartCodes = append(t.ChartCodes, []LabelCode{{Of: "town", Code: k[1]}, {Of: "level", Code: k[2]}, {Of: "time_of_day", Code: k[3]}})
		}
	}
	return t
}
