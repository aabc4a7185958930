package observatory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/prils-lazio/presidio/internal/store"
)

// Storing the day views.
//
// The views of a compacted day collection are one document in the
// collection of its month, viewPrefix + "2025-03", with _id
// "2025-03-01#" + its Source (the day collection's first event _id and
// count, as for roll-ups): inserting it again is a duplicate, so a
// Rollup run again after a crash, or by two processes at once, never
// counts a day twice. Rollup writes a day's views, then its roll-up, then
// drops the day's collection; a reader that finds both the views and the
// day collection with the same Source counts the day once.
//
// A month's views are used only once the month holds the document
// viewsReady: it is written after every roll-up of the month that existed
// before views were kept (an installation upgraded with a year of
// roll-ups) has its views. Until then the month is read from its roll-ups
// (slower, same numbers). Rollup fills such months, one per run.
const (
	viewPrefix = "observatory_views."
	viewsReady = "~ready"
)

// viewDoc is a stored dayView.
type viewDoc struct {
	ID     string `bson:"_id"`
	Day    string `bson:"day,omitempty"`
	Source string `bson:"src,omitempty"`
	// Persons are the day's person numbers (packPersons); Cells are
	// packed by packCells.
	Persons string `bson:"p,omitempty"`
	Cells   string `bson:"c,omitempty"`
}

func viewDocOf(v dayView, source string) viewDoc {
	return viewDoc{ID: v.day + "#" + source, Day: v.day, Source: source,
		Persons: packPersons(v.persons), Cells: packCells(v.cells)}
}

func (d viewDoc) view() (dayView, error) {
	v := dayView{day: d.Day}
	var err error
	if v.persons, err = unpackPersons(d.Persons); err != nil {
		return dayView{}, fmt.Errorf("observatory: views %s: %w", d.ID, err)
	}
	if v.cells, err = unpackCells(d.Cells, len(v.persons)); err != nil {
		return dayView{}, fmt.Errorf("observatory: views %s: %w", d.ID, err)
	}
	return v, nil
}

// viewsOf builds the views of a day's events.
func viewsOf(day string, events []Event) dayView {
	b := newViewBuilder(day)
	for _, e := range events {
		b.add(e)
	}
	return b.view()
}

// monthViews reads a month's views (one collection, read whole): the
// documents by day, and whether the month is ready (see viewsReady).
func (r *Reader) monthViews(ctx context.Context, month string) (map[string][]viewDoc, bool, error) {
	docs, err := readAll[viewDoc](ctx, r.st.Collection(viewPrefix+month), bson.D{})
	if err != nil {
		return nil, false, err
	}
	out := map[string][]viewDoc{}
	ready := false
	for _, d := range docs {
		if d.ID == viewsReady {
			ready = true
			continue
		}
		out[d.Day] = append(out[d.Day], d)
	}
	return out, ready, nil
}

// insertView writes a day's views; already there (same Source) is done.
func (r *Reader) insertView(ctx context.Context, month string, doc viewDoc) error {
	_, err := r.st.Collection(viewPrefix+month).InsertOne(ctx, doc)
	if err != nil && !store.IsDuplicate(err) {
		return fmt.Errorf("observatory: writing the views of %s: %w", doc.Day, err)
	}
	return nil
}

// readyViews makes sure a month's views cover its roll-ups: it writes the
// views of every roll-up of the month that has none, then viewsReady.
// Safe to run again after a crash and from several processes (every
// write is an insert under a unique _id). rollups are the month's
// roll-ups (as monthRollups reads them).
func (r *Reader) readyViews(ctx context.Context, month string, rollups map[string][]rollupDoc) error {
	if ready, err := r.viewsAreReady(ctx, month); err != nil || ready {
		return err
	}
	coll := r.st.Collection(viewPrefix + month)
	have, _, err := r.monthViews(ctx, month)
	if err != nil {
		return err
	}
	for day, docs := range rollups {
		for _, doc := range docs {
			if hasSource(have[day], doc.Source) {
				continue
			}
			var events []Event
			if err := doc.expand(func(e Event) { events = append(events, e) }); err != nil {
				return err
			}
			if err := r.insertView(ctx, month, viewDocOf(viewsOf(day, events), doc.Source)); err != nil {
				return err
			}
		}
	}
	if _, err := coll.InsertOne(ctx, viewDoc{ID: viewsReady}); err != nil && !store.IsDuplicate(err) {
		return fmt.Errorf("observatory: writing the views of %s: %w", month, err)
	}
	r.markViewsReady(month)
	return nil
}

// viewsAreReady reports whether the month's views hold viewsReady (a
// lookup by _id, remembered once true).
func (r *Reader) viewsAreReady(ctx context.Context, month string) (bool, error) {
	if r.viewsReadyKnown(month) {
		return true, nil
	}
	err := r.st.Collection(viewPrefix+month).FindOne(ctx, bson.D{{Key: "_id", Value: viewsReady}}).Err()
	switch {
	case err == nil:
		r.markViewsReady(month)
		return true, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	}
	return false, fmt.Errorf("observatory: reading the views of %s: %w", month, err)
}

func hasSource(docs []viewDoc, source string) bool {
	for _, d := range docs {
		if d.Source == source {
			return true
		}
	}
	return false
}

func (r *Reader) viewsReadyKnown(month string) bool {
	_, ok := r.readyMonths.Load(month)
	return ok
}

func (r *Reader) markViewsReady(month string) { r.readyMonths.Store(month, true) }

// readyAllViews fills the views of every month that has roll-ups and no
// viewsReady yet (an installation upgraded from before views), at most
// limit months per call so the hourly sweep stays short; it returns how
// many it filled.
func (r *Reader) readyAllViews(ctx context.Context, names []string, limit int) (int, error) {
	n := 0
	for _, name := range names {
		month, ok := strings.CutPrefix(name, rollupPrefix)
		if !ok {
			continue
		}
		if ready, err := r.viewsAreReady(ctx, month); err != nil || ready {
			if err != nil {
				return n, err
			}
			continue
		}
		if n >= limit {
			break
		}
		rollups, err := r.monthRollups(ctx, month)
		if err != nil {
			return n, err
		}
		if err := r.readyViews(ctx, month, rollups); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// dayViews calls yield with the views of every day in [from, to) (from
// and to are days' starts): the stored views of ready months, views built
// from the roll-ups of months not ready yet, and views built from the
// days not compacted yet and from the events of before day collections.
// A day may be yielded in several parts; none twice.
func (r *Reader) dayViews(ctx context.Context, from, to time.Time, yield func(dayView) error) error {
	exists, err := r.dayCollections(ctx)
	if err != nil {
		return err
	}
	inSpan := func(day string) bool { return day >= dayKey(from) && day < dayKey(to) }
	start := from.UTC()
	for start.Before(to) {
		month := monthOf(dayKey(start))
		raw, d, err := r.monthDays(ctx, exists, start, to)
		if err != nil {
			return err
		}
		// The day collections are read before the views, so a day
		// compacted meanwhile is in one or the other (or both, with the
		// same Source: counted once).
		docs, ready, err := r.monthViews(ctx, month)
		if err != nil {
			return err
		}
		seen := func(day, source string) {
			if evs := raw[day]; len(evs) > 0 && compactSource(evs) == source {
				delete(raw, day)
			}
		}
		if ready {
			for day, ds := range docs {
				if !inSpan(day) {
					continue
				}
				for _, doc := range ds {
					v, err := doc.view()
					if err != nil {
						return err
					}
					if err := yield(v); err != nil {
						return err
					}
					seen(day, doc.Source)
				}
			}
		} else {
			rollups, err := r.monthRollups(ctx, month)
			if err != nil {
				return err
			}
			for day, ds := range rollups {
				if !inSpan(day) {
					continue
				}
				for _, doc := range ds {
					var events []Event
					if err := doc.expand(func(e Event) { events = append(events, e) }); err != nil {
						return err
					}
					if err := yield(viewsOf(day, events)); err != nil {
						return err
					}
					seen(day, doc.Source)
				}
			}
		}
		for day, evs := range raw {
			events := make([]Event, len(evs))
			for i, e := range evs {
				events[i] = e.Event
			}
			if err := yield(viewsOf(day, events)); err != nil {
				return err
			}
		}
		start = d
	}
	return r.legacyViews(ctx, from, to, yield)
}

// legacyViews yields the views of the events recorded before day
// collections (in the single collectionName), day by day.
func (r *Reader) legacyViews(ctx context.Context, from, to time.Time, yield func(dayView) error) error {
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
		return nil
	}
	byDay := map[string][]Event{}
	for _, e := range legacy {
		byDay[dayKey(e.At)] = append(byDay[dayKey(e.At)], e)
	}
	for day, evs := range byDay {
		if err := yield(viewsOf(day, evs)); err != nil {
			return err
		}
	}
	return nil
}
