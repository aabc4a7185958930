package observatory

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// A year of synthetic events, its first two months compacted into
// roll-ups and day views and the rest not yet: the plan's numbers equal a
// direct count of the events, and no shown count of people is below the
// threshold. Compacting the whole year changes no number.
func TestPlanOfAYearMatchesADirectCount(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a year of events")
	}
	ctx := context.Background()
	st := storetest.Open(t)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := SyntheticOptions{From: from, Days: 365, Events: 8000, People: 1500, Seed: 1}
	// The direct count, table by table: people (and, for first answers,
	// minutes) per row key, the key being the row's codes joined by "|".
	type cell struct {
		people  map[string]bool
		minutes []int
	}
	direct := map[string]map[string]*cell{}
	districts := ShippedDistricts()
	add := func(table string, e Event, keys ...string) {
		if direct[table] == nil {
			direct[table] = map[string]*cell{}
		}
		k := strings.Join(keys, "|")
		c := direct[table][k]
		if c == nil {
			c = &cell{people: map[string]bool{}}
			direct[table][k] = c
		}
		c.people[e.Person] = true
		c.minutes = append(c.minutes, e.Value)
	}
	if err := SeedSynthetic(ctx, st, opts, func(e Event) {
		switch e.Kind {
		case KindTopicView:
			add("requests_by_topic", e, e.Topic)
			add("requests_by_language", e, e.Lang)
			add("requests_by_place", e, districts.Of(e))
		case KindEscalation:
			add("requests_by_place", e, districts.Of(e))
		case KindUnmatched:
			add("not_understood", e, e.Topic, e.Lang)
		case KindCaseClosed:
			add("cases_by_outcome", e, e.Bucket)
		case KindReferral:
			add("referrals_by_category", e, e.Bucket)
		case KindFirstResponse:
			add("time_to_first_answer", e, districts.Of(e))
		case KindEnrolment, KindWaitingList:
			add("course_demand", e, string(e.Kind), e.HelpPoint, e.Bucket)
		}
	}); err != nil {
		t.Fatal(err)
	}
	rd := NewReader(st)
	if n, err := rd.Rollup(ctx, from.AddDate(0, 2, 0)); err != nil || n < 50 {
		t.Fatalf("Rollup = %d, %v", n, err)
	}
	plan, err := rd.BuildPlan(ctx, PlanRequest{From: from, To: from.AddDate(1, 0, 0)}, districts, Resources{})
	if err != nil {
		t.Fatal(err)
	}
	// Every need table: each row shown has the people (and median
	// minutes) of the direct count, a row of fewer than MinCell people is
	// hidden (others may be hidden too: secondary suppression), and every
	// key of the direct count has its row.
	for _, sp := range needSpecs(true) {
		tb := planTable(t, plan, sp.id)
		want := direct[sp.id]
		col := map[string]int{}
		for i, h := range tb.Header {
			col[h] = i
		}
		compared := 0
		for _, row := range tb.Rows {
			keys := slices.Clone(row[:len(sp.by)])
			for i := range keys {
				if keys[i] == "-" {
					keys[i] = ""
				}
			}
			k := strings.Join(keys, "|")
			c := want[k]
			if c == nil {
				t.Errorf("%s %q: in the plan, not in the events", sp.id, k)
				continue
			}
			got := row[col["people"]]
			if got == plan.Marker {
				continue
			}
			compared++
			if got != strconv.Itoa(len(c.people)) || len(c.people) < MinCell {
				t.Errorf("%s %q: plan says %s people, direct count %d", sp.id, k, got, len(c.people))
			}
			if sp.median {
				if got, m := row[col["median_minutes"]], strconv.FormatFloat(median(c.minutes), 'f', -1, 64); got != m {
					t.Errorf("%s %q: plan says a median of %s minutes, direct count %s", sp.id, k, got, m)
				}
			}
		}
		if compared == 0 {
			t.Errorf("%s: every row hidden, nothing compared", sp.id)
		}
		if len(tb.Rows) != len(want) {
			t.Errorf("%s: %d rows, direct count has %d keys", sp.id, len(tb.Rows), len(want))
		}
	}
	if _, err := rd.Rollup(ctx, from.AddDate(1, 0, 3)); err != nil {
		t.Fatal(err)
	}
	again, err := NewReader(st).BuildPlan(ctx, PlanRequest{From: from, To: from.AddDate(1, 0, 0)}, districts, Resources{})
	if err != nil || !reflect.DeepEqual(again.Tables, plan.Tables) {
		t.Errorf("the plan changed once the whole year was compacted (%v)", err)
	}
	for _, tb := range plan.Tables {
		col := -1
		for i, h := range tb.Header {
			if h == "people" {
				col = i
			}
		}
		for _, row := range tb.Rows {
			if col >= 0 && row[col] != plan.Marker {
				if n, err := strconv.Atoi(row[col]); err != nil || (n > 0 && n < MinCell) {
					t.Errorf("%s: a cell shows %q people", tb.ID, row[col])
				}
			}
		}
	}
}

func planTable(t *testing.T, p *Plan, id string) PlanTable {
	t.Helper()
	for _, tb := range p.Tables {
		if tb.ID == id {
			return tb
		}
	}
	t.Fatalf("no table %s", id)
	return PlanTable{}
}
