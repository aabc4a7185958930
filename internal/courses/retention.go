package courses

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// DefaultRetention is how long after a course's end date its places,
// waiting list and claims (names, phones and chat ids of the people
// enrolled) are kept: about six months, for the school's registers and
// certificates. PRESIDIO_COURSE_RETENTION changes it.
const DefaultRetention = 180 * 24 * time.Hour

// PurgeFinished deletes the per-course collections (places and waiting
// list, claims) of every course that ended before the day of before, and
// of every course no longer in the list whose collections were last
// written before before (a course removed by an import: its end date is
// no longer known). It returns the IDs of the courses whose data it
// deleted. The course itself stays in the list (it holds no one's data).
//
// A course that ended is not offered any more (see signup), so nothing
// is written to its collections after its end but by Sweep, which only
// recreates them empty (dropped again by the next run).
func (c *Courses) PurgeFinished(ctx context.Context, before time.Time) ([]string, error) {
	names, err := c.st.CollectionNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("courses: listing collections: %w", err)
	}
	held := map[string]bool{}
	for _, n := range names {
		for _, prefix := range []string{placesPrefix, claimsPrefix} {
			if id, ok := strings.CutPrefix(n, prefix); ok {
				held[id] = true
			}
		}
	}
	if len(held) == 0 {
		return nil, nil
	}
	list, err := c.List(ctx)
	if err != nil {
		return nil, err
	}
	ends := map[string]string{}
	for _, co := range list {
		ends[co.ID] = co.EndDate
	}
	cutoff := before.UTC().Format(time.DateOnly)
	var purged []string
	for id := range held {
		end, listed := ends[id]
		if listed && end >= cutoff {
			continue
		}
		latest, n, err := c.lastWrite(ctx, id)
		if err != nil {
			return purged, err
		}
		if !listed && !latest.Before(before) {
			continue
		}
		c.ready.Delete(id)
		for _, coll := range []string{placesPrefix + id, claimsPrefix + id} {
			if err := c.st.Collection(coll).Drop(ctx); err != nil {
				return purged, fmt.Errorf("courses: deleting the data of %s: %w", id, err)
			}
		}
		if n > 0 {
			purged = append(purged, id)
		}
	}
	slices.Sort(purged)
	return purged, nil
}

// lastWrite returns the time of the newest place, waiting-list entry or
// claim of a course and how many documents it has (both collections are
// small, bounded by seats and waiting list, and read whole).
func (c *Courses) lastWrite(ctx context.Context, id string) (time.Time, int, error) {
	var latest time.Time
	n := 0
	for _, coll := range []string{placesPrefix + id, claimsPrefix + id} {
		cur, err := c.st.Collection(coll).Find(ctx, bson.D{})
		if err != nil {
			return latest, n, fmt.Errorf("courses: reading %s: %w", coll, err)
		}
		var docs []struct {
			At time.Time `bson:"at"`
		}
		if err := cur.All(ctx, &docs); err != nil {
			return latest, n, fmt.Errorf("courses: reading %s: %w", coll, err)
		}
		for _, d := range docs {
			if d.At.After(latest) {
				latest = d.At
			}
		}
		n += len(docs)
	}
	return latest, n, nil
}
