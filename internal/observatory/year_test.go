package observatory

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// A year of synthetic events, half of it compacted into roll-ups: the
// plan's numbers equal a direct count of the events, and no shown count of
// people is below the threshold.
func TestPlanOfAYearMatchesADirectCount(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a year of events")
	}
	ctx := context.Background()
	st := storetest.Open(t)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := SyntheticOptions{From: from, Days: 365, Events: 8000, People: 1500, Seed: 1}
	// The direct count: people per topic (topic views) and per district.
	topicPeople := map[string]map[string]bool{}
	districtPeople := map[string]map[string]bool{}
	districts := ShippedDistricts()
	add := func(m map[string]map[string]bool, k, p string) {
		if m[k] == nil {
			m[k] = map[string]bool{}
		}
		m[k][p] = true
	}
	if err := SeedSynthetic(ctx, st, opts, func(e Event) {
		if e.Kind == KindTopicView {
			add(topicPeople, e.Topic, e.Person)
		}
		if e.Kind == KindTopicView || e.Kind == KindEscalation {
			add(districtPeople, districts.Of(e), e.Person)
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
	check := func(id string, want map[string]map[string]bool) {
		t.Helper()
		tb := planTable(t, plan, id)
		seen := 0
		for _, row := range tb.Rows {
			key := row[0]
			if key == "-" {
				key = ""
			}
			got := row[2]
			if n := len(want[key]); got != strconv.Itoa(n) {
				t.Errorf("%s %q: plan says %s people, direct count %d", id, key, got, n)
			}
			seen++
		}
		if seen != len(want) {
			t.Errorf("%s: %d rows, direct count has %d keys", id, seen, len(want))
		}
	}
	check("requests_by_topic", topicPeople)
	check("requests_by_place", districtPeople)
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
