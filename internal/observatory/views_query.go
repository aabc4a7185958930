package observatory

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"time"
)

// tableQuery is a Query with the plan's extras.
type tableQuery struct {
	Query
	// key gives an event's value for a dimension (nil: Dimension.key);
	// the plan uses it for DistrictDim.
	key func(Dimension, Event) string
	// keep selects events by place (help point, municipality); nil keeps
	// all.
	keep func(Event) bool
}

// viewsFor returns the view to read for each kind of q, or false when q
// cannot be answered from the day views: q must cover whole days (UTC),
// name its kinds, and group only by periods, kind, place and the codes
// of a view of each kind (with values for a median).
func viewsFor(q Query) ([]int, bool) {
	whole := func(t time.Time) bool { return t.Equal(t.UTC().Truncate(24 * time.Hour)) }
	if len(q.Kinds) == 0 || !whole(q.From) || !whole(q.To) {
		return nil, false
	}
	var out []int
	for _, k := range q.Kinds {
		found := -1
		for i, sp := range viewSpecs {
			if sp.kind != k || (q.Median && !sp.values) {
				continue
			}
			covers := true
			for _, d := range q.By {
				covers = covers && (placeDim(d) || slices.Contains(sp.dims, d))
			}
			if covers {
				found = i
				break
			}
		}
		if found < 0 {
			return nil, false
		}
		if !slices.Contains(out, found) {
			out = append(out, found)
		}
	}
	return out, true
}

// tables computes the tables qs ask for with one read of the period they
// cover together: from the day views when every query can be answered
// from them, from the events otherwise. Both give the same tables.
func (r *Reader) tables(ctx context.Context, qs []tableQuery) ([]Table, error) {
	for _, q := range qs {
		plain := q.Query
		if q.key != nil {
			// The plan's own key function knows the district.
			plain.By = slices.DeleteFunc(slices.Clone(plain.By), func(d Dimension) bool { return d == DistrictDim })
		}
		if err := plain.check(); err != nil {
			return nil, err
		}
	}
	for _, q := range qs {
		if _, ok := viewsFor(q.Query); !ok {
			return r.tablesFromEvents(ctx, qs)
		}
	}
	return r.tablesFromViews(ctx, qs)
}

// span is the period qs cover together.
func span(qs []tableQuery) (time.Time, time.Time) {
	from, to := qs[0].From, qs[0].To
	for _, q := range qs[1:] {
		if q.From.Before(from) {
			from = q.From
		}
		if q.To.After(to) {
			to = q.To
		}
	}
	return from, to
}

func (r *Reader) tablesFromEvents(ctx context.Context, qs []tableQuery) ([]Table, error) {
	if len(qs) == 0 {
		return nil, nil
	}
	aggs := make([]*aggregator, len(qs))
	for i, q := range qs {
		aggs[i] = newAggregator(q.Query, q.key)
	}
	from, to := span(qs)
	err := r.events(ctx, from, to, func(e Event) {
		for i, q := range qs {
			if !e.At.Before(q.From) && e.At.Before(q.To) && (len(q.Kinds) == 0 || slices.Contains(q.Kinds, e.Kind)) &&
				(q.keep == nil || q.keep(e)) {
				aggs[i].add(e)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]Table, len(qs))
	for i, a := range aggs {
		out[i] = a.table()
	}
	return out, nil
}

// viewRow is a row of a table made from views.
type viewRow struct {
	keys         []string
	events, anon int
	people       bitset
	values       map[int]int
}

// bitset is a set of small numbers (people, numbered as first met).
type bitset []uint64

func (b *bitset) add(i int32) {
	w := int(i >> 6)
	if w >= len(*b) {
		*b = append(*b, make([]uint64, w+1-len(*b))...)
	}
	(*b)[w] |= 1 << (uint(i) & 63)
}

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

func (r *Reader) tablesFromViews(ctx context.Context, qs []tableQuery) ([]Table, error) {
	if len(qs) == 0 {
		return nil, nil
	}
	type agg struct {
		q     tableQuery
		from  string
		to    string
		specs []bool
		rows  map[string]*viewRow
	}
	aggs := make([]*agg, len(qs))
	for i, q := range qs {
		specs, _ := viewsFor(q.Query)
		a := &agg{q: q, from: dayKey(q.From), to: dayKey(q.To), specs: make([]bool, len(viewSpecs)), rows: map[string]*viewRow{}}
		for _, s := range specs {
			a.specs[s] = true
		}
		if a.q.key == nil {
			a.q.key = func(d Dimension, e Event) string { return d.key(e) }
		}
		aggs[i] = a
	}
	// People are numbered as first met across the whole read, so a person
	// in several days or cells is one bit.
	people := map[uint64]int32{}
	from, to := span(qs)
	var keys []string
	var id []byte
	err := r.dayViews(ctx, from, to, func(v dayView) error {
		global := make([]int32, len(v.persons))
		for i, p := range v.persons {
			id, ok := people[p]
			if !ok {
				id = int32(len(people))
				people[p] = id
			}
			global[i] = id
		}
		dayStart, err := time.Parse(time.DateOnly, v.day)
		if err != nil {
			return fmt.Errorf("observatory: views of %q: %w", v.day, err)
		}
		for _, a := range aggs {
			if v.day < a.from || v.day >= a.to {
				continue
			}
			for _, c := range v.cells {
				if !a.specs[c.spec] {
					continue
				}
				e := c.event(dayStart)
				if a.q.keep != nil && !a.q.keep(e) {
					continue
				}
				keys = keys[:0]
				for _, d := range a.q.By {
					keys = append(keys, a.q.key(d, e))
				}
				id = id[:0]
				for _, k := range keys {
					id = append(id, k...)
					id = append(id, 0)
				}
				row := a.rows[string(id)] // no allocation for the lookup
				if row == nil {
					row = &viewRow{keys: slices.Clone(keys)}
					a.rows[string(id)] = row
				}
				row.events += c.events
				row.anon += c.anon
				for _, p := range c.persons {
					row.people.add(global[p])
				}
				if a.q.Median {
					if row.values == nil {
						row.values = map[int]int{}
					}
					for _, vc := range c.values {
						row.values[vc.v] += vc.n
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Table, len(qs))
	for i, a := range aggs {
		q := a.q.Query
		t := Table{From: q.From.UTC(), To: q.To.UTC(), Kinds: slices.Clone(q.Kinds), By: slices.Clone(q.By), Median: q.Median}
		for _, row := range a.rows {
			tr := Row{Keys: row.keys, Events: row.events, People: row.people.count() + row.anon}
			if q.Median {
				tr.Median = medianOfCounts(row.values)
			}
			t.Rows = append(t.Rows, tr)
		}
		slices.SortFunc(t.Rows, func(a, b Row) int { return slices.Compare(a.Keys, b.Keys) })
		out[i] = t
	}
	return out, nil
}

// medianOfCounts is median over values given with their counts.
func medianOfCounts(h map[int]int) float64 {
	n := 0
	vals := make([]int, 0, len(h))
	for v, c := range h {
		n += c
		vals = append(vals, v)
	}
	if n == 0 {
		return 0
	}
	slices.Sort(vals)
	// nth returns the value at 0-based position i of the sorted multiset.
	nth := func(i int) int {
		for _, v := range vals {
			if i < h[v] {
				return v
			}
			i -= h[v]
		}
		return vals[len(vals)-1]
	}
	if n%2 == 1 {
		return float64(nth(n / 2))
	}
	return float64(nth(n/2-1)+nth(n/2)) / 2
}
