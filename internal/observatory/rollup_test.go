package observatory

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Compacting days into roll-ups changes no number of any report, drops the
// day collections, and running it again (as after a crash) counts nothing
// twice; an event recorded late for a compacted day is still counted.
func TestRollupKeepsEveryNumber(t *testing.T) {
	rec, rd, st := newRecorder(t)
	seed(t, rec)
	ctx := context.Background()
	queries := []Query{
		{From: monday, To: monday.AddDate(0, 0, 14), By: []Dimension{Week, Topic, Lang}},
		{From: monday, To: monday.AddDate(0, 0, 14), Kinds: []Kind{KindFirstResponse}, By: []Dimension{HelpPoint}, Median: true},
		{From: monday.Add(9 * time.Hour), To: monday.Add(10 * time.Hour), By: []Dimension{KindDim}},
	}
	before := make([]Table, len(queries))
	for i, q := range queries {
		var err error
		if before[i], err = rd.Query(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	n, err := rd.Rollup(ctx, monday.AddDate(0, 1, 0))
	if err != nil || n != 2 {
		t.Fatalf("Rollup = %d, %v; want the 2 days seeded", n, err)
	}
	if n, err := rd.Rollup(ctx, monday.AddDate(0, 1, 0)); err != nil || n != 0 {
		t.Fatalf("second Rollup = %d, %v", n, err)
	}
	names, _ := st.CollectionNames(ctx)
	for _, name := range names {
		if strings.HasPrefix(name, dayPrefix) {
			t.Errorf("day collection %s left after the roll-up", name)
		}
	}
	for i, q := range queries {
		after, err := rd.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after, before[i]) {
			t.Errorf("query %d after the roll-up:\n%+v\nbefore:\n%+v", i, after.Rows, before[i].Rows)
		}
	}
	all, err := rd.QueryAll(ctx, queries)
	if err != nil || !reflect.DeepEqual(all, before) {
		t.Errorf("QueryAll differs from Query one by one: %v", err)
	}
	late := Event{Kind: KindEscalation, At: monday.Add(13 * time.Hour), Topic: "permits", Person: rec.Person(chatID(99))}
	if err := rec.Record(ctx, late); err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Rollup(ctx, monday.AddDate(0, 1, 0)); err != nil {
		t.Fatal(err)
	}
	tb, err := rd.Query(ctx, Query{From: monday, To: monday.AddDate(0, 0, 1), Kinds: []Kind{KindEscalation}})
	if err != nil || len(tb.Rows) != 1 || tb.Rows[0].Events != 1 {
		t.Fatalf("the late event: %+v %v", tb.Rows, err)
	}
}

// A roll-up written and its day not yet dropped (a crash, or a report read
// at that moment) counts the day once; Rollup then only drops the day.
func TestRollupCutBeforeTheDrop(t *testing.T) {
	rec, rd, st := newRecorder(t)
	seed(t, rec)
	ctx := context.Background()
	q := Query{From: monday, To: monday.AddDate(0, 0, 14), By: []Dimension{KindDim}}
	before, err := rd.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	day := dayKey(monday)
	events, err := readAll[storedEvent](ctx, st.Collection(dayPrefix+day), nil)
	if err != nil || len(events) == 0 {
		t.Fatal(err)
	}
	doc := compact(day, events)
	doc.ID = day + "#0"
	if _, err := st.Collection(rollupPrefix+monthOf(day)).InsertOne(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if mid, err := rd.Query(ctx, q); err != nil || !reflect.DeepEqual(mid, before) {
		t.Fatalf("with the day both rolled up and not dropped: %+v %v", mid.Rows, err)
	}
	if _, err := rd.Rollup(ctx, monday.AddDate(0, 1, 0)); err != nil {
		t.Fatal(err)
	}
	if after, err := rd.Query(ctx, q); err != nil || !reflect.DeepEqual(after, before) {
		t.Fatalf("after Rollup: %+v %v", after.Rows, err)
	}
}

// Roll-ups and views older than the retention are dropped, and so are old
// events of the collection used before day collections; newer ones stay
// and still count.
func TestExpire(t *testing.T) {
	rec, rd, st := newRecorder(t)
	ctx := context.Background()
	old := time.Date(2019, 5, 10, 9, 0, 0, 0, time.UTC)
	recent := time.Date(2025, 5, 10, 9, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{old, recent} {
		if err := rec.Record(ctx, Event{Kind: KindTopicView, At: at, Topic: "health", Person: rec.Person(chatID(1))}); err != nil {
			t.Fatal(err)
		}
		// The same, as recorded before day collections.
		if _, err := st.Collection(collectionName).InsertOne(ctx, Event{Kind: KindTopicView, At: at, Topic: "work", Person: rec.Person(chatID(2))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rd.Rollup(ctx, recent.AddDate(0, 1, 0)); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	n, err := NewReader(st).Expire(ctx, now.Add(-RollupRetention))
	if err != nil || n != 2 {
		t.Fatalf("Expire = %d, %v; want the roll-ups and views of May 2019", n, err)
	}
	names, _ := st.CollectionNames(ctx)
	for _, name := range names {
		if strings.HasSuffix(name, ".2019-05") {
			t.Errorf("%s left", name)
		}
	}
	count := func(from time.Time) int {
		tb, err := NewReader(st).Query(ctx, Query{From: from, To: from.AddDate(0, 1, 0), By: []Dimension{Topic}})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range tb.Rows {
			n += r.Events
		}
		return n
	}
	if got := count(time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)); got != 0 {
		t.Errorf("May 2019 still counts %d events", got)
	}
	if got := count(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)); got != 2 {
		t.Errorf("May 2025 counts %d events, want 2", got)
	}
}
