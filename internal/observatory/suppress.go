package observatory

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MinCell is the smallest number of distinct people a published cell may
// count. Suppress never uses less.
const MinCell = 5

// Cell is a row of a Suppressed table. A suppressed cell has zero counts
// and shows its marker ("<5") instead.
type Cell struct {
	Keys       []string
	Suppressed bool
	Events     int
	People     int
	Median     float64
}

// Suppressed is a table fit for publication: every cell counting fewer
// than Min distinct people is hidden, and so are the cells that would let
// someone work a hidden one out (see Suppress). Only Suppress makes one, so
// only suppressed data can be shown or exported.
type Suppressed struct {
	from, to time.Time
	kinds    []Kind
	by       []Dimension
	median   bool
	min      int
	rows     []Cell
}

// Suppress hides the small cells of t.
//
// Primary suppression: a cell counting fewer than min distinct people
// (at least MinCell, whatever min says) is hidden.
//
// Secondary suppression: tables carry no totals, but the same events can
// be published grouped differently (a report by topic beside one by topic
// and language, or the grand total). So for every subset of the table's
// dimensions (the empty one too), the cells sharing those keys form a
// group, and in a group where exactly one cell is hidden the other cell
// with the fewest events (then the first by keys) is hidden too; this
// repeats until no group has exactly one hidden cell. A margin of the same
// events over the same period then never gives one hidden cell away.
//
// What it does not protect against: differencing two periods that differ
// by a day, or tables of different kinds, can still narrow a hidden cell
// down. Planners get whole days and fixed kinds; the console should keep
// the exports to the people who need them.
func Suppress(t Table, min int) Suppressed {
	s, _ := suppress(t, min, nil)
	return s
}

// SuppressTogether suppresses tables of the same kinds and dimensions over
// periods that are published side by side (a period, the one before, the
// same period a year earlier): a cell hidden in one period is hidden in
// all of them, and secondary suppression runs again until no table hides
// a cell the others show. So a change between two periods never gives a
// hidden count away.
func SuppressTogether(min int, ts ...Table) []Suppressed {
	forced := map[string]bool{}
	for {
		out := make([]Suppressed, len(ts))
		grew := false
		for i, t := range ts {
			var hidden map[string]bool
			out[i], hidden = suppress(t, min, forced)
			for k := range hidden {
				if !forced[k] {
					forced[k], grew = true, true
				}
			}
		}
		if !grew {
			return out
		}
	}
}

func cellKey(keys []string) string { return strings.Join(keys, "\x00") }

// suppress is Suppress with cells forced hidden (by cellKey); it also
// returns the keys it hid.
func suppress(t Table, min int, forced map[string]bool) (Suppressed, map[string]bool) {
	min = max(min, MinCell)
	s := Suppressed{
		from: t.From, to: t.To, kinds: slices.Clone(t.Kinds), by: slices.Clone(t.By),
		median: t.Median, min: min,
	}
	hidden := make([]bool, len(t.Rows))
	for i, r := range t.Rows {
		hidden[i] = r.People < min || forced[cellKey(r.Keys)]
	}
	// Every subset of the dimensions but the full one defines groups: the
	// cells sharing the keys of that subset (the empty subset is the grand
	// total). A table has few dimensions, so there are few subsets.
	n := len(t.By)
	for changed := n > 0; changed; {
		changed = false
		for mask := 0; mask < 1<<n-1; mask++ {
			groups := map[string][]int{}
			var order []string
			for i, r := range t.Rows {
				var kept []string
				for d, k := range r.Keys {
					if mask&(1<<d) != 0 {
						kept = append(kept, k)
					}
				}
				g := strings.Join(kept, "\x00")
				if _, ok := groups[g]; !ok {
					order = append(order, g)
				}
				groups[g] = append(groups[g], i)
			}
			for _, g := range order {
				var hid int
				next := -1
				for _, i := range groups[g] {
					if hidden[i] {
						hid++
						continue
					}
					if next < 0 || cmp.Or(
						cmp.Compare(t.Rows[i].Events, t.Rows[next].Events),
						slices.Compare(t.Rows[i].Keys, t.Rows[next].Keys)) < 0 {
						next = i
					}
				}
				if hid == 1 && next >= 0 {
					hidden[next] = true
					changed = true
				}
			}
		}
	}
	for i, r := range t.Rows {
		c := Cell{Keys: slices.Clone(r.Keys), Suppressed: hidden[i]}
		if !c.Suppressed {
			c.Events, c.People, c.Median = r.Events, r.People, r.Median
		}
		s.rows = append(s.rows, c)
	}
	hid := map[string]bool{}
	for i, r := range t.Rows {
		if hidden[i] {
			hid[cellKey(r.Keys)] = true
		}
	}
	return s, hid
}

// From and To bound the table's period.
func (s Suppressed) From() time.Time { return s.from }

// To is the end of the period (not included).
func (s Suppressed) To() time.Time { return s.to }

// By returns the table's dimensions.
func (s Suppressed) By() []Dimension { return slices.Clone(s.by) }

// Kinds returns the kinds the table counts (none: all).
func (s Suppressed) Kinds() []Kind { return slices.Clone(s.kinds) }

// HasMedian reports whether the cells carry a median Value.
func (s Suppressed) HasMedian() bool { return s.median }

// Min is the suppression threshold.
func (s Suppressed) Min() int { return s.min }

// Marker is what a hidden cell shows: "<5".
func (s Suppressed) Marker() string { return "<" + strconv.Itoa(s.min) }

// Rows returns a copy of the cells, sorted by keys.
func (s Suppressed) Rows() []Cell {
	out := make([]Cell, len(s.rows))
	for i, c := range s.rows {
		c.Keys = slices.Clone(c.Keys)
		out[i] = c
	}
	return out
}

// EventsText is the events column as shown: a number or the marker.
func (s Suppressed) EventsText(c Cell) string {
	if c.Suppressed {
		return s.Marker()
	}
	return strconv.Itoa(c.Events)
}

// PeopleText is the people column as shown.
func (s Suppressed) PeopleText(c Cell) string {
	if c.Suppressed {
		return s.Marker()
	}
	return strconv.Itoa(c.People)
}

// MedianText is the median column as shown.
func (s Suppressed) MedianText(c Cell) string {
	if c.Suppressed {
		return s.Marker()
	}
	return strconv.FormatFloat(c.Median, 'f', -1, 64)
}

// Labelled returns the table with each key written by label (codes become
// words on the pages: "health" → "Salute"); the table to export keeps the
// codes. Periods are passed to label too, which returns them as they are.
func (s Suppressed) Labelled(label func(Dimension, string) string) Suppressed {
	out := s
	out.rows = make([]Cell, len(s.rows))
	for i, c := range s.rows {
		c.Keys = slices.Clone(c.Keys)
		for j := range c.Keys {
			if j < len(s.by) {
				c.Keys[j] = label(s.by[j], c.Keys[j])
			}
		}
		out.rows[i] = c
	}
	return out
}
