package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// colLive lists the cases whose personal content is still there: one
// document per case, _id the case ID, with the person's chat id and the
// case's topic. Cases stay in "cases" for ever (anonymous once erased), so
// "cases" grows with history; this list holds only the cases within the
// retention period (open, or closed less than PRESIDIO_CASE_RETENTION ago)
// and the few whose erasure is not finished. /forget (Forget, CasesOf) and
// the hourly sweep (SweepClosed) read it, not "cases": on the embedded
// store a filtered read parses every document of its collection.
//
// An entry is inserted before the case's open claim (so no case exists
// without one; a lost race leaves an entry without a case, deleted by
// SweepClosed after orphanAge), marked erased once the case is stripped,
// and deleted once the case's messages are gone.
const colLive = "cases_live"

// orphanAge is how old an entry without its case must be before
// SweepClosed deletes it (its opener lost a race or died before creating
// the case; resolveOpen creates a claimed case within moments).
const orphanAge = time.Hour

// liveBuiltID marks, in colLive, that the list was built from "cases"
// (once, for a store written before it existed).
const liveBuiltID = "built"

type liveEntry struct {
	CaseID string    `bson:"_id"`
	ChatID int64     `bson:"chat_id"`
	Topic  string    `bson:"topic"`
	At     time.Time `bson:"at"`
	// Erased: the case was stripped; its messages may remain (purge).
	Erased bool `bson:"erased,omitempty"`
}

// addLive lists a case about to be claimed. Listing it twice is harmless.
func (s *Cases) addLive(ctx context.Context, caseID string, chatID int64, topic string) error {
	_, err := s.live.InsertOne(ctx, liveEntry{CaseID: caseID, ChatID: chatID, Topic: topic, At: s.clock()})
	if err != nil && !store.IsDuplicate(err) {
		return fmt.Errorf("cases: listing case %s: %w", caseID, err)
	}
	return nil
}

// markLiveErased records that the case was stripped.
func (s *Cases) markLiveErased(ctx context.Context, caseID string) error {
	if _, err := s.live.UpdateOne(ctx, bson.D{{Key: "_id", Value: caseID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "erased", Value: true}}}}); err != nil {
		return fmt.Errorf("cases: marking case %s erased: %w", caseID, err)
	}
	return nil
}

// dropLive removes cases whose erasure is finished from the list.
func (s *Cases) dropLive(ctx context.Context, ids []string) error {
	for _, id := range ids {
		if _, err := s.live.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
			return fmt.Errorf("cases: unlisting case %s: %w", id, err)
		}
	}
	return nil
}

// liveEntries reads the whole list (its size follows the cases within the
// retention period, not all cases ever).
func (s *Cases) liveEntries(ctx context.Context) ([]liveEntry, error) {
	cur, err := s.live.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$ne", Value: liveBuiltID}}}})
	if err != nil {
		return nil, fmt.Errorf("cases: reading the cases with personal content: %w", err)
	}
	var out []liveEntry
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("cases: reading the cases with personal content: %w", err)
	}
	return out, nil
}

// CasesOf returns the person's cases that still hold their personal
// content (oldest first): their entries in the live list (findByField, so
// the cost follows the person's cases), then each case.
func (s *Cases) CasesOf(ctx context.Context, chatID int64) ([]Case, error) {
	entries, err := findByField[liveEntry](ctx, s, s.live, "chat_id", chatID)
	if err != nil {
		return nil, fmt.Errorf("cases: finding the person's cases: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if !e.Erased {
			ids = append(ids, e.CaseID)
		}
	}
	var out []Case
	for _, id := range ids {
		c, err := s.Get(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue // not created (yet)
		}
		if err != nil {
			return nil, err
		}
		if c.ChatID == chatID && !c.IsErased() {
			out = append(out, c)
		}
	}
	sortCases(out)
	return out, nil
}

// openLive creates the list's index (MongoDB) and, the first time, builds
// it from "cases": every case not erased, or erased with its messages not
// yet purged. A crash midway builds it again (duplicates are skipped).
func (s *Cases) openLive(ctx context.Context) error {
	if err := s.st.IndexForLookups(ctx, colLive, "chat_id"); err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	if err := store.EnsureIndexes(ctx, s.live, mongo.IndexModel{Keys: bson.D{{Key: "chat_id", Value: 1}}}); err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	err := s.live.FindOne(ctx, bson.D{{Key: "_id", Value: liveBuiltID}}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("cases: reading whether the live list is built: %w", err)
	}
	list, err := s.find(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "erased", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: purgePending, Value: true}},
	}}}, options.Find().SetProjection(bson.D{{Key: "chat_id", Value: 1}, {Key: "topic", Value: 1}, {Key: "created", Value: 1}, {Key: "erased", Value: 1}}))
	if err != nil {
		return err
	}
	docs := make([]any, 0, len(list))
	for _, c := range list {
		docs = append(docs, liveEntry{CaseID: c.ID, ChatID: c.ChatID, Topic: c.Topic, At: c.Created, Erased: c.IsErased()})
	}
	for from := 0; from < len(docs); from += 1000 {
		_, err := s.live.InsertMany(ctx, docs[from:min(from+1000, len(docs))], options.InsertMany().SetOrdered(false))
		if err != nil && !store.IsDuplicate(err) {
			return fmt.Errorf("cases: building the live list: %w", err)
		}
	}
	if _, err := s.live.InsertOne(ctx, bson.D{{Key: "_id", Value: liveBuiltID}}); err != nil && !store.IsDuplicate(err) {
		return fmt.Errorf("cases: marking the live list built: %w", err)
	}
	return nil
}

// sortCases orders cases oldest first.
func sortCases(list []Case) {
	slices.SortFunc(list, func(a, b Case) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
