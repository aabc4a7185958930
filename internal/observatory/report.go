package observatory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/prils-lazio/presidio/internal/store"
)

// Dimension is what a report groups events by.
type Dimension string

// The dimensions of reports. Day, Week and Month are periods (UTC):
// "2025-03-01", ISO week "2025-W09", "2025-03".
const (
	Day          Dimension = "day"
	Week         Dimension = "week"
	Month        Dimension = "month"
	Lang         Dimension = "lang"
	Topic        Dimension = "topic"
	HelpPoint    Dimension = "help_point"
	Municipality Dimension = "municipality"
	Bucket       Dimension = "bucket"
	KindDim      Dimension = "kind"
)

var dimensions = []Dimension{Day, Week, Month, Lang, Topic, HelpPoint, Municipality, Bucket, KindDim}

// Valid reports whether d is one of the dimensions of this package.
func (d Dimension) Valid() bool { return slices.Contains(dimensions, d) }

// IsPeriod reports whether d is Day, Week or Month.
func (d Dimension) IsPeriod() bool { return d == Day || d == Week || d == Month }

// ParseDimensions reads a comma-separated list ("week,topic"); an empty
// string is no dimension. Unknown or repeated dimensions are errors.
func ParseDimensions(s string) ([]Dimension, error) {
	var out []Dimension
	for f := range strings.SplitSeq(s, ",") {
		d := Dimension(strings.TrimSpace(f))
		if d == "" {
			continue
		}
		if !d.Valid() {
			return nil, fmt.Errorf("observatory: unknown dimension %q", d)
		}
		if slices.Contains(out, d) {
			return nil, fmt.Errorf("observatory: dimension %q twice", d)
		}
		out = append(out, d)
	}
	return out, nil
}

// key returns e's value for d (empty when the event has none).
func (d Dimension) key(e Event) string {
	t := e.At.UTC()
	switch d {
	case Day:
		return t.Format(time.DateOnly)
	case Week:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case Month:
		return t.Format("2006-01")
	case Lang:
		return e.Lang
	case Topic:
		return e.Topic
	case HelpPoint:
		return e.HelpPoint
	case Municipality:
		return e.Municipality
	case Bucket:
		return e.Bucket
	case KindDim:
		return string(e.Kind)
	}
	return ""
}

// Periods returns the keys of period d from from up to (not including)
// to, in order: the x axis of a chart over time, with no gaps.
func Periods(d Dimension, from, to time.Time) []string {
	if !d.IsPeriod() || !from.Before(to) {
		return nil
	}
	var out []string
	for t := from.UTC(); t.Before(to); t = t.Add(24 * time.Hour) {
		k := d.key(Event{At: t})
		if len(out) == 0 || out[len(out)-1] != k {
			out = append(out, k)
		}
	}
	return out
}

// Query selects and groups the events of a report.
type Query struct {
	// From and To bound the period: From <= At < To.
	From, To time.Time
	// Kinds keeps only these kinds; none keeps all.
	Kinds []Kind
	// By are the dimensions, in the order of the row keys.
	By []Dimension
	// Median also computes the median Value of each row.
	Median bool
}

func (q Query) check() error {
	if !q.From.Before(q.To) {
		return fmt.Errorf("observatory: empty period %s..%s", q.From, q.To)
	}
	for _, k := range q.Kinds {
		if !k.Valid() {
			return fmt.Errorf("observatory: unknown kind %q", k)
		}
	}
	seen := map[Dimension]bool{}
	for _, d := range q.By {
		if !d.Valid() || seen[d] {
			return fmt.Errorf("observatory: bad or repeated dimension %q", d)
		}
		seen[d] = true
	}
	return nil
}

// Row is one cell of a Table: the events with the same keys.
type Row struct {
	// Keys has one value per dimension of the table (empty: not recorded).
	Keys []string
	// Events counts the events.
	Events int
	// People counts distinct person tokens (an event without one, a
	// course cancellation, counts as one).
	People int
	// Median is the median Value (only when the query asked for it).
	Median float64
}

// Table is an unsuppressed report. It stays in this package's callers'
// memory: only a Suppressed table can be exported or shown.
type Table struct {
	From, To time.Time
	Kinds    []Kind
	By       []Dimension
	Median   bool
	// Rows are sorted by their keys.
	Rows []Row
}

// Reader computes reports from the recorded events. Its methods are safe
// for concurrent use.
type Reader struct {
	st   *store.Store
	coll *mongo.Collection // events from before the day collections

	legacyMu        sync.Mutex
	legacySeenEmpty bool

	// readyMonths are the months whose views are known ready (see
	// views_store.go).
	readyMonths sync.Map
}

// NewReader returns a reader of st's events (see days.go).
func NewReader(st *store.Store) *Reader {
	return &Reader{st: st, coll: st.Collection(collectionName)}
}

// legacyEmpty reports whether the collection of old events was seen empty
// (nothing is ever added to it again).
func (r *Reader) legacyEmpty() bool {
	r.legacyMu.Lock()
	defer r.legacyMu.Unlock()
	return r.legacySeenEmpty
}

func (r *Reader) markLegacyEmpty() {
	r.legacyMu.Lock()
	r.legacySeenEmpty = true
	r.legacyMu.Unlock()
}

// Report counts the events of every kind with From <= At < To, grouped by
// the dimensions.
func (r *Reader) Report(ctx context.Context, from, to time.Time, by ...Dimension) (Table, error) {
	return r.Query(ctx, Query{From: from, To: to, By: by})
}

// Query computes the report q asks for. The events are grouped in Go
// (the embedded store's aggregation is too weak to rely on), from the day
// views when q can be answered from them (whole days, named kinds; see
// views.go), from the events otherwise.
func (r *Reader) Query(ctx context.Context, q Query) (Table, error) {
	ts, err := r.tables(ctx, []tableQuery{{Query: q}})
	if err != nil {
		return Table{}, err
	}
	return ts[0], nil
}

// QueryAll computes several reports with one read of the period they
// cover together (the dashboard's tables): the same tables as Query one
// by one.
func (r *Reader) QueryAll(ctx context.Context, qs []Query) ([]Table, error) {
	tqs := make([]tableQuery, len(qs))
	for i, q := range qs {
		tqs[i] = tableQuery{Query: q}
	}
	return r.tables(ctx, tqs)
}

// aggregator groups events one at a time, so a year of them is never held
// in memory: only the cells, with their people and (for medians) values.
type aggregator struct {
	q     Query
	key   func(Dimension, Event) string
	cells map[string]*aggCell
}

type aggCell struct {
	keys   []string
	events int
	people map[string]struct{}
	anon   int
	values []int
}

// newAggregator groups by q.By; key gives an event's value for a
// dimension (nil: Dimension.key).
func newAggregator(q Query, key func(Dimension, Event) string) *aggregator {
	if key == nil {
		key = func(d Dimension, e Event) string { return d.key(e) }
	}
	return &aggregator{q: q, key: key, cells: map[string]*aggCell{}}
}

func (a *aggregator) add(e Event) {
	var buf [6]string
	keys := buf[:0]
	for _, d := range a.q.By {
		keys = append(keys, a.key(d, e))
	}
	id := strings.Join(keys, "\x00")
	c := a.cells[id]
	if c == nil {
		c = &aggCell{keys: slices.Clone(keys), people: map[string]struct{}{}}
		a.cells[id] = c
	}
	c.events++
	if e.Person == "" {
		c.anon++
	} else {
		c.people[e.Person] = struct{}{}
	}
	if a.q.Median {
		c.values = append(c.values, e.Value)
	}
}

func (a *aggregator) table() Table {
	q := a.q
	t := Table{From: q.From.UTC(), To: q.To.UTC(), Kinds: slices.Clone(q.Kinds), By: slices.Clone(q.By), Median: q.Median}
	for _, c := range a.cells {
		row := Row{Keys: c.keys, Events: c.events, People: len(c.people) + c.anon}
		if q.Median {
			row.Median = median(c.values)
		}
		t.Rows = append(t.Rows, row)
	}
	slices.SortFunc(t.Rows, func(a, b Row) int { return slices.Compare(a.Keys, b.Keys) })
	return t
}

// median of vs (the mean of the two middle values for an even count).
func median(vs []int) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

// The dashboard's series. Each is a Query over a period; period is Day,
// Week or Month.

// RequestsPerTopic: orientation requests by period and topic.
func RequestsPerTopic(from, to time.Time, period Dimension) Query {
	return Query{From: from, To: to, Kinds: []Kind{KindTopicView}, By: []Dimension{period, Topic}}
}

// UnmetNeeds: questions not understood, by language and guessed topic.
func UnmetNeeds(from, to time.Time) Query {
	return Query{From: from, To: to, Kinds: []Kind{KindUnmatched}, By: []Dimension{Lang, Topic}}
}

// Escalations: requests to talk to a counsellor, by help point.
func Escalations(from, to time.Time) Query {
	return Query{From: from, To: to, Kinds: []Kind{KindEscalation}, By: []Dimension{HelpPoint}}
}

// FirstResponse: first answers by help point, with the median minutes.
func FirstResponse(from, to time.Time) Query {
	return Query{From: from, To: to, Kinds: []Kind{KindFirstResponse}, By: []Dimension{HelpPoint}, Median: true}
}

// Outcomes: referral, case and feedback outcomes by kind and bucket.
func Outcomes(from, to time.Time) Query {
	return Query{From: from, To: to, Kinds: []Kind{KindReferral, KindCaseClosed, KindFeedback}, By: []Dimension{KindDim, Bucket}}
}

// CourseDemand: enrolments, waiting list and cancellations by kind and
// course level (seats offered are the courses package's to report).
func CourseDemand(from, to time.Time) Query {
	return Query{From: from, To: to, Kinds: []Kind{KindEnrolment, KindWaitingList, KindCourseCancel}, By: []Dimension{KindDim, Bucket}}
}
