package console

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// AuditMonthPrefix names the audit log's collections: one per month of
// the entries' time (UTC), "console_audit.2026-03". The log is kept
// forever and read newest first a page at a time; on the embedded store a
// sorted read parses its whole collection, so a page reads the latest
// month (and earlier ones only while the page is not full), never the
// whole history. On MongoDB each month has an index on the page order.
const AuditMonthPrefix = AuditCollection + "."

// AuditCursor says where a page of the audit log starts: the entries
// strictly older than the entry it names. The zero cursor is the newest.
type AuditCursor struct {
	At time.Time
	ID string
}

// IsZero reports whether c is the start of the log.
func (c AuditCursor) IsZero() bool { return c.At.IsZero() }

// String writes c for a URL: milliseconds since 1970, '-', the entry's ID.
func (c AuditCursor) String() string {
	if c.IsZero() {
		return ""
	}
	return strconv.FormatInt(c.At.UnixMilli(), 10) + "-" + c.ID
}

// ParseAuditCursor reads what String wrote ("" is the zero cursor).
func ParseAuditCursor(s string) (AuditCursor, error) {
	if s == "" {
		return AuditCursor{}, nil
	}
	ms, id, ok := strings.Cut(s, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || n <= 0 || id == "" {
		return AuditCursor{}, fmt.Errorf("console: %q is not a place in the audit log", s)
	}
	return AuditCursor{At: time.UnixMilli(n).UTC(), ID: id}, nil
}

func auditMonth(t time.Time) string { return AuditMonthPrefix + t.UTC().Format("2006-01") }

// StoreAudit is the audit log in the store's month collections. It has no
// method that changes or deletes an entry.
type StoreAudit struct {
	st *store.Store

	mu      sync.Mutex
	moved   bool            // the old single collection is moved (or absent)
	indexed map[string]bool // month collections whose index exists
}

// NewStoreAudit returns the audit log kept in st.
func NewStoreAudit(st *store.Store) *StoreAudit {
	return &StoreAudit{st: st, indexed: map[string]bool{}}
}

// Record appends e (ID and At are filled when empty).
func (a *StoreAudit) Record(ctx context.Context, e AuditEntry) error {
	if e.ID == "" {
		e.ID = randomToken(12)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC().Truncate(time.Millisecond)
	coll, err := a.month(ctx, auditMonth(e.At))
	if err != nil {
		return err
	}
	if _, err := coll.InsertOne(ctx, e); err != nil {
		return fmt.Errorf("console: writing the audit log: %w", err)
	}
	return nil
}

// Page returns up to limit entries older than before (limit ≤ 0: all of
// them), newest first, and the cursor of the next page.
func (a *StoreAudit) Page(ctx context.Context, before AuditCursor, limit int) ([]AuditEntry, AuditCursor, error) {
	if err := a.moveOld(ctx); err != nil {
		return nil, AuditCursor{}, err
	}
	names, err := a.st.CollectionNames(ctx)
	if err != nil {
		return nil, AuditCursor{}, fmt.Errorf("console: listing the audit log's months: %w", err)
	}
	var months []string
	for _, n := range names {
		if strings.HasPrefix(n, AuditMonthPrefix) && (before.IsZero() || n <= auditMonth(before.At)) {
			months = append(months, n)
		}
	}
	slices.Sort(months)
	slices.Reverse(months)
	var out []AuditEntry
	for _, m := range months {
		filter := bson.D{}
		if !before.IsZero() && m == auditMonth(before.At) {
			filter = bson.D{{Key: "$or", Value: bson.A{
				bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before.At}}}},
				bson.D{{Key: "at", Value: before.At}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: before.ID}}}},
			}}}
		}
		opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}})
		if limit > 0 {
			opts.SetLimit(int64(limit + 1 - len(out)))
		}
		cur, err := a.st.Collection(m).Find(ctx, filter, opts)
		if err != nil {
			return nil, AuditCursor{}, fmt.Errorf("console: reading the audit log: %w", err)
		}
		var page []AuditEntry
		if err := cur.All(ctx, &page); err != nil {
			return nil, AuditCursor{}, fmt.Errorf("console: reading the audit log: %w", err)
		}
		out = append(out, page...)
		if limit > 0 && len(out) > limit {
			last := out[limit-1]
			return out[:limit], AuditCursor{At: last.At, ID: last.ID}, nil
		}
	}
	return out, AuditCursor{}, nil
}

// month returns a month's collection, with its index on MongoDB.
func (a *StoreAudit) month(ctx context.Context, name string) (*mongo.Collection, error) {
	if err := a.moveOld(ctx); err != nil {
		return nil, err
	}
	coll := a.st.Collection(name)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.indexed[name] {
		return coll, nil
	}
	if err := store.EnsureIndexes(ctx, coll, mongo.IndexModel{Keys: bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}}); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	a.indexed[name] = true
	return coll, nil
}

// moveOld moves the entries of the audit log's old single collection into
// the month collections and drops it: once per store (a crash midway
// repeats it; entries already moved are kept once, by their _id).
func (a *StoreAudit) moveOld(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.moved {
		return nil
	}
	names, err := a.st.CollectionNames(ctx)
	if err != nil {
		return fmt.Errorf("console: looking for the old audit log: %w", err)
	}
	if slices.Contains(names, AuditCollection) {
		cur, err := a.st.Collection(AuditCollection).Find(ctx, bson.D{})
		if err != nil {
			return fmt.Errorf("console: reading the old audit log: %w", err)
		}
		var old []AuditEntry
		if err := cur.All(ctx, &old); err != nil {
			return fmt.Errorf("console: reading the old audit log: %w", err)
		}
		byMonth := map[string][]any{}
		for _, e := range old {
			byMonth[auditMonth(e.At)] = append(byMonth[auditMonth(e.At)], e)
		}
		for m, docs := range byMonth {
			for chunk := range slices.Chunk(docs, 1000) {
				_, err := a.st.Collection(m).InsertMany(ctx, chunk, options.InsertMany().SetOrdered(false))
				if err != nil && !store.IsDuplicate(err) {
					return fmt.Errorf("console: moving the old audit log: %w", err)
				}
			}
		}
		if err := a.st.Collection(AuditCollection).Drop(ctx); err != nil {
			return fmt.Errorf("console: dropping the old audit log: %w", err)
		}
	}
	a.moved = true
	return nil
}
