package observatory

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// viewQueries are the dashboard's tables by day, week and month and the
// plan's need tables for the whole area and for one district, over the
// first 70 days of 2025, its first 40 days and a week.
func viewQueries() []tableQuery {
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	districts := ShippedDistricts()
	key := func(d Dimension, e Event) string {
		if d == DistrictDim {
			return districts.Of(e)
		}
		return d.key(e)
	}
	var qs []tableQuery
	for _, to := range []time.Time{from.AddDate(0, 0, 70), from.AddDate(0, 0, 40), from.AddDate(0, 0, 7)} {
		for _, period := range []Dimension{Day, Week, Month} {
			qs = append(qs, tableQuery{Query: RequestsPerTopic(from, to, period)})
		}
		for _, q := range []Query{UnmetNeeds(from, to), Escalations(from, to), FirstResponse(from, to), Outcomes(from, to), CourseDemand(from, to)} {
			qs = append(qs, tableQuery{Query: q})
		}
		for _, area := range []bool{true, false} {
			var keep func(Event) bool
			if !area {
				keep = func(e Event) bool { return districts.Of(e) == "rm6-5" }
			}
			for _, sp := range needSpecs(area) {
				qs = append(qs, tableQuery{Query: Query{From: from, To: to, Kinds: sp.kinds, By: sp.by, Median: sp.median}, key: key, keep: keep})
			}
		}
	}
	return qs
}

// Reports from the day views equal reports from the events, whatever
// state the days are in: not compacted, compacted, compacted before views
// were kept (an upgraded installation, read from its roll-ups until
// Rollup fills its views), and cut by a crash between a day's views and
// its roll-up.
func TestViewsMatchEvents(t *testing.T) {
	ctx := context.Background()
	rec, rd, st := newRecorder(t)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := SeedSynthetic(ctx, st, SyntheticOptions{From: from, Days: 70, Events: 6000, People: 400, Seed: 3}, nil); err != nil {
		t.Fatal(err)
	}
	// Course cancellations (no person) and a municipality the district
	// table knows.
	for i := range 3 {
		if err := rec.Record(ctx, Event{Kind: KindCourseCancel, At: from.AddDate(0, 0, i), Topic: "italian", HelpPoint: "cpia-velletri", Bucket: "a1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Record(ctx, Event{Kind: KindTopicView, At: from.AddDate(0, 0, 5), Topic: "health", Municipality: "lariano", Person: rec.Person(1)}); err != nil {
		t.Fatal(err)
	}
	qs := viewQueries()
	for _, q := range qs {
		if _, ok := viewsFor(q.Query); !ok {
			t.Fatalf("%v by %v cannot be read from the views", q.Kinds, q.By)
		}
	}
	want, err := rd.tablesFromEvents(ctx, qs)
	if err != nil {
		t.Fatal(err)
	}
	same := func(stage string) {
		t.Helper()
		got, err := NewReader(st).tablesFromViews(ctx, qs)
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		for i := range qs {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s: %v by %v:\nviews  %+v\nevents %+v", stage, qs[i].Kinds, qs[i].By, got[i].Rows, want[i].Rows)
			}
		}
		if again, err := NewReader(st).tablesFromEvents(ctx, qs); err != nil || !reflect.DeepEqual(again, want) {
			t.Errorf("%s: the events give other numbers now (%v)", stage, err)
		}
	}
	same("not compacted")

	// A crash after a day's views were written, before its roll-up.
	day := dayKey(from.AddDate(0, 0, 3))
	evs, err := readAll[storedEvent](ctx, st.Collection(dayPrefix+day), nil)
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]Event, len(evs))
	for i, e := range evs {
		plain[i] = e.Event
	}
	if err := rd.readyViews(ctx, monthOf(day), nil); err != nil {
		t.Fatal(err)
	}
	if err := rd.insertView(ctx, monthOf(day), viewDocOf(viewsOf(day, plain), compactSource(evs))); err != nil {
		t.Fatal(err)
	}
	same("views written, day not compacted")

	if n, err := rd.Rollup(ctx, from.AddDate(0, 0, 50)); err != nil || n < 40 {
		t.Fatalf("Rollup = %d, %v", n, err)
	}
	same("the first 49 days compacted")

	// Before views: drop them all; the months are read from roll-ups.
	names, _ := st.CollectionNames(ctx)
	for _, n := range names {
		if strings.HasPrefix(n, viewPrefix) {
			if err := st.Collection(n).Drop(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	same("roll-ups without views")
	// Rollup fills the views of months compacted before them, and says
	// so with viewsReady.
	if _, err := NewReader(st).Rollup(ctx, from.AddDate(0, 0, 50)); err != nil {
		t.Fatal(err)
	}
	for _, month := range []string{"2025-01", "2025-02"} {
		if err := st.Collection(viewPrefix+month).FindOne(ctx, bson.D{{Key: "_id", Value: viewsReady}}).Err(); err != nil {
			t.Errorf("views of %s not ready after Rollup: %v", month, err)
		}
	}
	same("views filled after the upgrade")
	if _, err := NewReader(st).Rollup(ctx, from.AddDate(0, 0, 80)); err != nil {
		t.Fatal(err)
	}
	same("all compacted")
}

// The median of values with their counts is the median of the values.
func TestMedianOfCounts(t *testing.T) {
	for _, vs := range [][]int{{}, {4}, {1, 9}, {3, 3, 3, 10}, {5, 1, 1, 7, 7, 7, 2}, {2, 2, 8, 8}} {
		h := map[int]int{}
		for _, v := range vs {
			h[v]++
		}
		if got, want := medianOfCounts(h), median(vs); got != want {
			t.Errorf("%v: %v, want %v", vs, got, want)
		}
	}
}
