package observatory

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// Storage at a year's scale.
//
// On the embedded store a filtered read parses every document of the
// collection (measured: see BENCHMARKS.md; reads by _id too, unless the
// store's own _id expression index is there, see internal/store), so the
// cost of a read is the size of the collection it touches. The events are
// therefore kept in small collections read whole, never filtered:
//
//   - Record appends each event to the collection of its day (UTC),
//     dayPrefix + "2025-03-01": reading a day reads only that day.
//   - Rollup compacts each day that ended more than RollupAfter ago into
//     one roll-up document, _id "2025-03-01#0", in the collection of its
//     month, rollupPrefix + "2025-03", and drops the day's collection. A
//     roll-up is lossless: it keeps every field of the events but groups
//     identical ones (same hour, kind, codes and person) with their count
//     and values, so every report gives the same numbers before and
//     after. A report for a year reads twelve month collections.
//   - An event recorded late, for a day already rolled up, lands in a new
//     collection for that day, and the next Rollup adds roll-up "#1", "#2"...
//
// Events recorded before this layout, in the single collectionName, are
// still read (with a filtered scan of that collection).
const (
	dayPrefix    = "observatory_events."
	rollupPrefix = "observatory_rollups."
)

// monthOf is the month of a day key: "2025-03-01" → "2025-03".
func monthOf(day string) string { return day[:7] }

// RollupAfter is how long after its end a day is compacted. Events are
// recorded as they happen (Record stamps them now), so a day is complete
// soon after its end; until it is compacted every report reads its events
// one document each, which on the embedded store costs far more than its
// views (BENCHMARKS.md), hence a short delay.
const RollupAfter = 2 * time.Hour

// dayKey is the UTC day of t as "2006-01-02".
func dayKey(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// group is identical events of a roll-up.
type group struct {
	Hour         int    `bson:"h"`
	Kind         Kind   `bson:"k"`
	Lang         string `bson:"l,omitempty"`
	Topic        string `bson:"t,omitempty"`
	HelpPoint    string `bson:"hp,omitempty"`
	Municipality string `bson:"m,omitempty"`
	Bucket       string `bson:"b,omitempty"`
	Person       string `bson:"p,omitempty"`
	// Count is how many events; Values their values when any is not zero.
	Count  int   `bson:"n"`
	Values []int `bson:"v,omitempty"`
}

// rollupDoc is one day's events, compacted. The groups are stored packed
// in one string, a line per group (see pack): the embedded store decodes a
// string far faster than thousands of sub-documents.
type rollupDoc struct {
	ID  string `bson:"_id"` // "2006-01-02#k"
	Day string `bson:"day"`
	// Source identifies the day collection this was made from (its
	// first event's _id and the number of events), so a Rollup cut by a
	// crash after the insert only drops the collection when run again.
	Source string  `bson:"src"`
	Events int     `bson:"events"`
	Packed string  `bson:"g"`
	Groups []group `bson:"-"`
}

// pack writes the groups as lines "h|kind|lang|topic|hp|m|bucket|person|n|v,v":
// every field is a code of a-z, 0-9 and "-" (Validate), so "|", "," and
// newlines never occur in them.
func pack(gs []group) string {
	var b strings.Builder
	for _, g := range gs {
		b.WriteString(strconv.Itoa(g.Hour))
		for _, f := range []string{string(g.Kind), g.Lang, g.Topic, g.HelpPoint, g.Municipality, g.Bucket, g.Person} {
			b.WriteByte('|')
			b.WriteString(f)
		}
		b.WriteByte('|')
		b.WriteString(strconv.Itoa(g.Count))
		b.WriteByte('|')
		for i, v := range g.Values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(v))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// unpack reads what pack wrote.
func unpack(s string) ([]group, error) {
	var out []group
	for line := range strings.Lines(s) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "|")
		if len(f) != 10 {
			return nil, fmt.Errorf("a packed group has %d fields", len(f))
		}
		h, err1 := strconv.Atoi(f[0])
		n, err2 := strconv.Atoi(f[8])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("a packed group has a bad number")
		}
		g := group{Hour: h, Kind: Kind(f[1]), Lang: f[2], Topic: f[3], HelpPoint: f[4], Municipality: f[5], Bucket: f[6], Person: f[7], Count: n}
		if f[9] != "" {
			for v := range strings.SplitSeq(f[9], ",") {
				x, err := strconv.Atoi(v)
				if err != nil {
					return nil, fmt.Errorf("a packed group has a bad value")
				}
				g.Values = append(g.Values, x)
			}
		}
		out = append(out, g)
	}
	return out, nil
}

// storedEvent is an event as read back with its _id.
type storedEvent struct {
	ID    bson.ObjectID `bson:"_id"`
	Event `bson:",inline"`
}

// compactSource identifies a day collection's events: the smallest _id
// and the count.
func compactSource(events []storedEvent) string {
	first := ""
	for _, e := range events {
		if h := e.ID.Hex(); first == "" || h < first {
			first = h
		}
	}
	return fmt.Sprintf("%s/%d", first, len(events))
}

func compact(day string, events []storedEvent) rollupDoc {
	idx := map[string]int{}
	doc := rollupDoc{Day: day, Events: len(events)}
	for _, e := range events {
		g := group{Hour: e.At.UTC().Hour(), Kind: e.Kind, Lang: e.Lang, Topic: e.Topic, HelpPoint: e.HelpPoint,
			Municipality: e.Municipality, Bucket: e.Bucket, Person: e.Person}
		k := fmt.Sprint(g.Hour, g.Kind, "\x00", g.Lang, "\x00", g.Topic, "\x00", g.HelpPoint, "\x00", g.Municipality, "\x00", g.Bucket, "\x00", g.Person)
		i, ok := idx[k]
		if !ok {
			i = len(doc.Groups)
			idx[k] = i
			doc.Groups = append(doc.Groups, g)
		}
		doc.Groups[i].Count++
		doc.Groups[i].Values = append(doc.Groups[i].Values, e.Value)
	}
	for i := range doc.Groups {
		if !slices.ContainsFunc(doc.Groups[i].Values, func(v int) bool { return v != 0 }) {
			doc.Groups[i].Values = nil
		}
	}
	doc.Source = compactSource(events)
	doc.Packed = pack(doc.Groups)
	return doc
}

// expand turns a roll-up back into its events.
func (d rollupDoc) expand(yield func(Event)) error {
	day, err := time.Parse(time.DateOnly, d.Day)
	if err != nil {
		return fmt.Errorf("observatory: roll-up %s: %w", d.ID, err)
	}
	groups, err := unpack(d.Packed)
	if err != nil {
		return fmt.Errorf("observatory: roll-up %s: %w", d.ID, err)
	}
	for _, g := range groups {
		e := Event{Kind: g.Kind, At: day.Add(time.Duration(g.Hour) * time.Hour), Lang: g.Lang, Topic: g.Topic,
			HelpPoint: g.HelpPoint, Municipality: g.Municipality, Bucket: g.Bucket, Person: g.Person}
		for i := range g.Count {
			if i < len(g.Values) {
				e.Value = g.Values[i]
			}
			yield(e)
		}
	}
	return nil
}

// Rollup compacts every day that ended more than RollupAfter before now
// and still has its own collection, and returns how many days it
// compacted. It is safe to run from several processes and to run again
// after a crash: a day is never counted twice. An event recorded for a
// day in the instant between Rollup reading that day and dropping it is
// lost; the bot records events as they happen, and days are compacted
// RollupAfter after they end, so only a Record with an old At can meet
// that instant.
func (r *Reader) Rollup(ctx context.Context, now time.Time) (int, error) {
	names, err := r.st.CollectionNames(ctx)
	if err != nil {
		return 0, fmt.Errorf("observatory: listing days: %w", err)
	}
	limit := now.UTC().Add(-RollupAfter)
	n := 0
	months := map[string]map[string][]rollupDoc{} // read once per month
	for _, name := range names {
		day, ok := strings.CutPrefix(name, dayPrefix)
		if !ok {
			continue
		}
		start, err := time.Parse(time.DateOnly, day)
		if err != nil || start.Add(24*time.Hour).After(limit) {
			continue
		}
		if err := r.rollDay(ctx, day, months); err != nil {
			return n, err
		}
		n++
	}
	// Months compacted before views were kept get theirs, a few per run.
	if _, err := r.readyAllViews(ctx, names, 3); err != nil {
		return n, err
	}
	return n, nil
}

func (r *Reader) rollDay(ctx context.Context, day string, months map[string]map[string][]rollupDoc) error {
	coll := r.st.Collection(dayPrefix + day)
	events, err := readAll[storedEvent](ctx, coll, bson.D{})
	if err != nil {
		return err
	}
	if len(events) > 0 {
		doc := compact(day, events)
		month, ok := months[monthOf(day)]
		if !ok {
			var err error
			if month, err = r.monthRollups(ctx, monthOf(day)); err != nil {
				return err
			}
			months[monthOf(day)] = month
		}
		// The month's views first cover its older roll-ups, then this
		// day's views are written before its roll-up (see views_store.go).
		if err := r.readyViews(ctx, monthOf(day), month); err != nil {
			return err
		}
		plain := make([]Event, len(events))
		for i, e := range events {
			plain[i] = e.Event
		}
		if err := r.insertView(ctx, monthOf(day), viewDocOf(viewsOf(day, plain), doc.Source)); err != nil {
			return err
		}
		existing := month[day]
		done := slices.ContainsFunc(existing, func(d rollupDoc) bool { return d.Source == doc.Source })
		if !done {
			doc.ID = fmt.Sprintf("%s#%d", day, len(existing))
			if _, err := r.st.Collection(rollupPrefix+monthOf(day)).InsertOne(ctx, doc); err != nil && !store.IsDuplicate(err) {
				return fmt.Errorf("observatory: writing the roll-up of %s: %w", day, err)
			} else if store.IsDuplicate(err) {
				// Another process rolled the day at the same moment.
				return nil
			}
			month[day] = append(month[day], doc)
		}
	}
	if err := coll.Drop(ctx); err != nil {
		return fmt.Errorf("observatory: dropping the events of %s: %w", day, err)
	}
	return nil
}

// monthRollups reads a month's roll-ups (one collection, read whole) by
// day.
func (r *Reader) monthRollups(ctx context.Context, month string) (map[string][]rollupDoc, error) {
	docs, err := readAll[rollupDoc](ctx, r.st.Collection(rollupPrefix+month), bson.D{})
	if err != nil {
		return nil, err
	}
	out := map[string][]rollupDoc{}
	for _, d := range docs {
		out[d.Day] = append(out[d.Day], d)
	}
	for _, ds := range out {
		slices.SortFunc(ds, func(a, b rollupDoc) int { return strings.Compare(a.ID, b.ID) })
	}
	return out, nil
}

// events calls yield with every event in [from, to): from the roll-ups and
// the day collections of each day, and from the collection of events
// recorded before days had collections.
func (r *Reader) events(ctx context.Context, from, to time.Time, yield func(Event)) error {
	from, to = from.UTC(), to.UTC()
	in := func(e Event) {
		if !e.At.Before(from) && e.At.Before(to) {
			yield(e)
		}
	}
	exists, err := r.dayCollections(ctx)
	if err != nil {
		return err
	}
	// Month by month: the days' own collections first, then the month's
	// roll-ups, so that a day compacted meanwhile is found in one or the
	// other, and a day found in both (compacted between its roll-up's
	// insert and its collection's drop) is counted once, by its Source.
	start := from.Truncate(24 * time.Hour)
	for start.Before(to) {
		month := monthOf(dayKey(start))
		raw, d, err := r.monthDays(ctx, exists, start, to)
		if err != nil {
			return err
		}
		rollups, err := r.monthRollups(ctx, month)
		if err != nil {
			return err
		}
		for day, docs := range rollups {
			for _, doc := range docs {
				if err := doc.expand(in); err != nil {
					return err
				}
				if evs := raw[day]; len(evs) > 0 && compactSource(evs) == doc.Source {
					delete(raw, day)
				}
			}
		}
		for _, evs := range raw {
			for _, e := range evs {
				in(e.Event)
			}
		}
		start = d
	}
	if r.legacyEmpty() {
		return nil
	}
	legacy, err := readAll[Event](ctx, r.coll, bson.D{{Key: "at", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}}})
	if err != nil {
		return err
	}
	if len(legacy) == 0 {
		if n, err := r.coll.EstimatedDocumentCount(ctx); err == nil && n == 0 {
			r.markLegacyEmpty()
		}
	}
	for _, e := range legacy {
		yield(e)
	}
	return nil
}

func readAll[T any](ctx context.Context, coll *mongo.Collection, filter bson.D) ([]T, error) {
	if filter == nil {
		filter = bson.D{}
	}
	cur, err := coll.Find(ctx, filter, options.Find().SetBatchSize(5000))
	if err != nil {
		return nil, fmt.Errorf("observatory: reading events: %w", err)
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("observatory: reading events: %w", err)
	}
	return out, nil
}

// RollupRetention is how long roll-ups are kept: five years, so a Piano di
// zona (three years) can be compared with the one before.
const RollupRetention = 5 * 366 * 24 * time.Hour

// Expire drops the roll-ups and views of the months that ended before
// before, and deletes the events recorded before before in the single
// collection of before day collections; it returns how many month
// collections it dropped.
func (r *Reader) Expire(ctx context.Context, before time.Time) (int, error) {
	names, err := r.st.CollectionNames(ctx)
	if err != nil {
		return 0, fmt.Errorf("observatory: expiring roll-ups: %w", err)
	}
	limit := dayKey(before)[:7]
	n := 0
	for _, name := range names {
		month, ok := strings.CutPrefix(name, rollupPrefix)
		if !ok {
			month, ok = strings.CutPrefix(name, viewPrefix)
		}
		if ok && month < limit {
			if err := r.st.Collection(name).Drop(ctx); err != nil {
				return n, fmt.Errorf("observatory: expiring roll-ups: %w", err)
			}
			n++
		}
	}
	if slices.Contains(names, collectionName) {
		if _, err := r.coll.DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}}); err != nil {
			return n, fmt.Errorf("observatory: expiring old events: %w", err)
		}
	}
	return n, nil
}

// dayCollections returns which day collections exist (by name).
func (r *Reader) dayCollections(ctx context.Context) (map[string]bool, error) {
	names, err := r.st.CollectionNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("observatory: listing days: %w", err)
	}
	exists := make(map[string]bool, len(names))
	for _, n := range names {
		exists[n] = true
	}
	return exists, nil
}

// monthDays reads the day collections (those in exists) of the month of
// start, from start up to to, by day; next is the first day after them
// (the next month's first, or to).
func (r *Reader) monthDays(ctx context.Context, exists map[string]bool, start, to time.Time) (raw map[string][]storedEvent, next time.Time, err error) {
	month := monthOf(dayKey(start))
	raw = map[string][]storedEvent{}
	d := start
	for ; d.Before(to) && monthOf(dayKey(d)) == month; d = d.Add(24 * time.Hour) {
		day := dayKey(d)
		if !exists[dayPrefix+day] {
			continue
		}
		if raw[day], err = readAll[storedEvent](ctx, r.st.Collection(dayPrefix+day), nil); err != nil {
			return nil, d, err
		}
	}
	return raw, d, nil
}
