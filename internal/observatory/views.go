package observatory

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Day views: the per-day partial totals the dashboard and the plan read,
// so that a year's report costs its days and cells, not its events.
//
// A view is one kind of event grouped by a few codes (viewSpecs) and by
// place (help point and municipality, from which the district follows).
// For each day and cell a view keeps the number of events, the people (as
// indexes into the day's sorted list of person tokens), the events
// without a person and, for first answers, each value with its count. Any
// grouping coarser than a view's cells, over whole days, is therefore
// exact: events and value counts add up, and the people of a row are the
// union of its cells' people (a person counted in two cells or two days
// is counted once), so a report from views equals the report from the
// events it was made from (TestViewsMatchEvents).
//
// Views are stored per month, one document per compacted day collection
// (see Rollup in days.go and views_store.go); days not compacted yet are
// turned into views when read.

// viewSpec is one view: a kind grouped by dims (of Lang, Topic, Bucket;
// at most two) and by place.
type viewSpec struct {
	kind   Kind
	dims   []Dimension
	values bool
}

// viewSpecs are the views kept for each day: what the dashboard's six
// tables and the plan's need tables group by. A query grouped otherwise
// is answered from the events (see canUseViews).
var viewSpecs = []viewSpec{
	{kind: KindTopicView, dims: []Dimension{Topic}},
	{kind: KindTopicView, dims: []Dimension{Lang}},
	{kind: KindUnmatched, dims: []Dimension{Lang, Topic}},
	{kind: KindEscalation, dims: []Dimension{Topic}},
	{kind: KindFirstResponse, values: true},
	{kind: KindReferral, dims: []Dimension{Bucket}},
	{kind: KindCaseClosed, dims: []Dimension{Bucket}},
	{kind: KindFeedback, dims: []Dimension{Bucket}},
	{kind: KindEnrolment, dims: []Dimension{Bucket}},
	{kind: KindWaitingList, dims: []Dimension{Bucket}},
	{kind: KindCourseCancel, dims: []Dimension{Bucket}},
}

// name is how a view is written in stored documents: "topic_view:topic".
func (v viewSpec) name() string { return string(v.kind) + ":" + joinDims(v.dims) }

var viewByName = func() map[string]int {
	m := map[string]int{}
	for i, v := range viewSpecs {
		m[v.name()] = i
	}
	return m
}()

// placeDims are the dimensions every view has (the place), and the
// district, which follows from them.
func placeDim(d Dimension) bool {
	return d == HelpPoint || d == Municipality || d == DistrictDim || d == KindDim || d.IsPeriod()
}

// dayView is one day's views (or part of a day's: a day compacted twice,
// a day read raw).
type dayView struct {
	day     string
	persons []uint64 // person tokens as numbers (personNumber), sorted, distinct
	cells   []viewCell
}

type viewCell struct {
	spec         int
	hp, m        string
	keys         [2]string
	events, anon int
	persons      []int32 // indexes into dayView.persons, ascending
	values       []valueCount
}

type valueCount struct{ v, n int }

// event is the cell as an event of its day, for the key and filter
// functions of queries (its At is the day's start, its Value 0).
func (c viewCell) event(dayStart time.Time) Event {
	e := Event{At: dayStart}
	sp := viewSpecs[c.spec]
	e.Kind, e.HelpPoint, e.Municipality = sp.kind, c.hp, c.m
	for i, d := range sp.dims {
		switch d {
		case Lang:
			e.Lang = c.keys[i]
		case Topic:
			e.Topic = c.keys[i]
		case Bucket:
			e.Bucket = c.keys[i]
		}
	}
	return e
}

// viewBuilder makes a day's views from its events.
type viewBuilder struct {
	day     string
	persons map[uint64]int32
	cells   map[string]*buildCell
}

type buildCell struct {
	viewCell
	people map[int32]struct{}
	vals   map[int]int
}

func newViewBuilder(day string) *viewBuilder {
	return &viewBuilder{day: day, persons: map[uint64]int32{}, cells: map[string]*buildCell{}}
}

func (b *viewBuilder) add(e Event) {
	for i, sp := range viewSpecs {
		if sp.kind != e.Kind {
			continue
		}
		c := viewCell{spec: i, hp: e.HelpPoint, m: e.Municipality}
		for j, d := range sp.dims {
			c.keys[j] = d.key(e)
		}
		id := strings.Join([]string{strconv.Itoa(i), c.hp, c.m, c.keys[0], c.keys[1]}, "\x00")
		bc := b.cells[id]
		if bc == nil {
			bc = &buildCell{viewCell: c, people: map[int32]struct{}{}, vals: map[int]int{}}
			b.cells[id] = bc
		}
		bc.events++
		if e.Person == "" {
			bc.anon++
		} else {
			num := personNumber(e.Person)
			p, ok := b.persons[num]
			if !ok {
				p = int32(len(b.persons))
				b.persons[num] = p
			}
			bc.people[p] = struct{}{}
		}
		if sp.values {
			bc.vals[e.Value]++
		}
	}
}

// view returns the day's views, in a canonical order (persons sorted,
// cells by view and keys), so the same events always give the same
// document.
func (b *viewBuilder) view() dayView {
	v := dayView{day: b.day, persons: make([]uint64, 0, len(b.persons))}
	for p := range b.persons {
		v.persons = append(v.persons, p)
	}
	slices.Sort(v.persons)
	remap := make([]int32, len(b.persons))
	for i, p := range v.persons {
		remap[b.persons[p]] = int32(i)
	}
	for _, bc := range b.cells {
		c := bc.viewCell
		for p := range bc.people {
			c.persons = append(c.persons, remap[p])
		}
		slices.Sort(c.persons)
		for val, n := range bc.vals {
			c.values = append(c.values, valueCount{val, n})
		}
		slices.SortFunc(c.values, func(a, b valueCount) int { return cmp.Compare(a.v, b.v) })
		v.cells = append(v.cells, c)
	}
	slices.SortFunc(v.cells, func(a, b viewCell) int {
		return cmp.Or(cmp.Compare(a.spec, b.spec), cmp.Compare(a.hp, b.hp), cmp.Compare(a.m, b.m),
			cmp.Compare(a.keys[0], b.keys[0]), cmp.Compare(a.keys[1], b.keys[1]))
	})
	return v
}

// packCells writes the cells as lines
// "view|hp|m|k1|k2|events|anon|refs|v:n,v:n", refs being packRefs of the
// cell's people: codes never hold "|", "," or ":" (Validate), nor does
// base64.
func packCells(cells []viewCell) string {
	var b strings.Builder
	for _, c := range cells {
		b.WriteString(viewSpecs[c.spec].name())
		for _, f := range []string{c.hp, c.m, c.keys[0], c.keys[1], strconv.Itoa(c.events), strconv.Itoa(c.anon)} {
			b.WriteByte('|')
			b.WriteString(f)
		}
		b.WriteByte('|')
		b.WriteString(packRefs(c.persons))
		b.WriteByte('|')
		for i, vc := range c.values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(vc.v))
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(vc.n))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// unpackCells reads what packCells wrote; lines of views this version
// does not know are skipped. persons is the number of the day's persons
// (indexes are checked against it).
func unpackCells(s string, persons int) ([]viewCell, error) {
	var out []viewCell
	bad := func(what string) error { return fmt.Errorf("a view cell has %s", what) }
	for line := range strings.Lines(s) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "|")
		if len(f) != 9 {
			return nil, bad(fmt.Sprintf("%d fields", len(f)))
		}
		spec, ok := viewByName[f[0]]
		if !ok {
			continue
		}
		c := viewCell{spec: spec, hp: f[1], m: f[2], keys: [2]string{f[3], f[4]}}
		var err1, err2 error
		c.events, err1 = strconv.Atoi(f[5])
		c.anon, err2 = strconv.Atoi(f[6])
		if err1 != nil || err2 != nil {
			return nil, bad("a bad count")
		}
		if c.persons, err1 = unpackRefs(f[7], persons); err1 != nil {
			return nil, bad("a bad person index")
		}
		if f[8] != "" {
			for vc := range strings.SplitSeq(f[8], ",") {
				v, n, ok := strings.Cut(vc, ":")
				x, err1 := strconv.Atoi(v)
				y, err2 := strconv.Atoi(n)
				if !ok || err1 != nil || err2 != nil {
					return nil, bad("a bad value")
				}
				c.values = append(c.values, valueCount{x, y})
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// personNumber is a person token as a number: the 16 hex digits of
// Recorder.Person read as 64 bits (every recorded token has them, see
// Validate). Another string, which Validate never lets through, gets its
// FNV-1a hash.
func personNumber(token string) uint64 {
	if n, err := strconv.ParseUint(token, 16, 64); err == nil && len(token) == 16 {
		return n
	}
	h := fnv.New64a()
	h.Write([]byte(token))
	return h.Sum64()
}

// packRefs writes ascending person indexes as the varints of their
// differences, in base64: about two characters a person.
func packRefs(refs []int32) string {
	buf := make([]byte, 0, 2*len(refs))
	prev := int32(0)
	for _, r := range refs {
		buf = binary.AppendUvarint(buf, uint64(r-prev))
		prev = r
	}
	return base64.RawStdEncoding.EncodeToString(buf)
}

// unpackRefs reads what packRefs wrote; every index must be below n.
func unpackRefs(s string, n int) ([]int32, error) {
	if s == "" {
		return nil, nil
	}
	buf, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	out := make([]int32, 0, len(buf))
	cur := uint64(0)
	for len(buf) > 0 {
		d, k := binary.Uvarint(buf)
		if k <= 0 {
			return nil, fmt.Errorf("a bad varint")
		}
		buf = buf[k:]
		cur += d
		if cur >= uint64(n) {
			return nil, fmt.Errorf("index %d of %d", cur, n)
		}
		out = append(out, int32(cur))
	}
	return out, nil
}

// packPersons writes person numbers as 8 bytes each, big-endian, in
// base64.
func packPersons(ps []uint64) string {
	buf := make([]byte, 0, 8*len(ps))
	for _, p := range ps {
		buf = binary.BigEndian.AppendUint64(buf, p)
	}
	return base64.RawStdEncoding.EncodeToString(buf)
}

// unpackPersons reads what packPersons wrote.
func unpackPersons(s string) ([]uint64, error) {
	buf, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || len(buf)%8 != 0 {
		return nil, fmt.Errorf("observatory: bad packed persons")
	}
	out := make([]uint64, len(buf)/8)
	for i := range out {
		out[i] = binary.BigEndian.Uint64(buf[8*i:])
	}
	return out, nil
}
