package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colLeases holds one document per term of the active process's lease.
const colLeases = "leases"

// Lease is the claim of the one active process on a store. Terms only grow:
// taking over is inserting the document of the next term, whose _id
// ("term-<n>") is unique, so of several standbys exactly one wins, on
// MongoDB and on the embedded store alike (conditional updates are not
// atomic there; unique inserts are). Only the holder writes its term's
// document afterwards (renewals).
type Lease struct {
	Term   int64     `bson:"term"`
	Holder string    `bson:"holder"`
	Until  time.Time `bson:"until"`
}

// ErrLeaseHeld is returned by TakeLease while another process holds an
// unexpired lease.
var ErrLeaseHeld = errors.New("store: another process is active")

// ErrLeaseLost is returned by RenewLease when a later term exists: another
// process took over.
var ErrLeaseLost = errors.New("store: the lease was taken over by another process")

func leaseID(term int64) string { return fmt.Sprintf("term-%020d", term) }

// CurrentLease returns the lease of the highest term (zero Lease if none).
func (s *Store) CurrentLease(ctx context.Context) (Lease, error) {
	cur, err := s.db.Collection(colLeases).Find(ctx, bson.D{})
	if err != nil {
		return Lease{}, fmt.Errorf("store: reading the lease: %w", err)
	}
	var all []Lease
	if err := cur.All(ctx, &all); err != nil {
		return Lease{}, fmt.Errorf("store: reading the lease: %w", err)
	}
	var latest Lease
	for _, l := range all {
		if l.Term > latest.Term {
			latest = l
		}
	}
	return latest, nil
}

// TakeLease makes holder the active process for ttl if no lease is held:
// none was ever taken, the last one was released, or it expired more than
// grace ago (grace covers clock differences between machines: the old
// holder stops acting at its own expiry, by its own clock). It returns
// ErrLeaseHeld while another holds it, also when another standby won the
// same term a moment earlier.
func (s *Store) TakeLease(ctx context.Context, holder string, ttl, grace time.Duration) (Lease, error) {
	cur, err := s.CurrentLease(ctx)
	if err != nil {
		return Lease{}, err
	}
	now := time.Now().UTC()
	if cur.Term > 0 && now.Before(cur.Until.Add(grace)) {
		return cur, ErrLeaseHeld
	}
	next := Lease{Term: cur.Term + 1, Holder: holder, Until: now.Add(ttl)}
	doc := bson.D{{Key: "_id", Value: leaseID(next.Term)}, {Key: "term", Value: next.Term},
		{Key: "holder", Value: next.Holder}, {Key: "until", Value: next.Until}}
	if _, err := s.db.Collection(colLeases).InsertOne(ctx, doc); err != nil {
		if IsDuplicate(err) {
			return cur, ErrLeaseHeld
		}
		return Lease{}, fmt.Errorf("store: taking the lease: %w", err)
	}
	if cur.Term > 1 { // keep the last few terms, for the record
		_, _ = s.db.Collection(colLeases).DeleteOne(ctx, bson.D{{Key: "_id", Value: leaseID(cur.Term - 1)}})
	}
	return next, nil
}

// RenewLease extends the holder's lease to now+ttl. It returns ErrLeaseLost
// if a later term exists (the write to the old term's document is then
// harmless: nobody reads it again).
func (s *Store) RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error) {
	l.Until = time.Now().UTC().Add(ttl)
	_, err := s.db.Collection(colLeases).UpdateOne(ctx, bson.D{{Key: "_id", Value: leaseID(l.Term)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "until", Value: l.Until}}}})
	if err != nil {
		return l, fmt.Errorf("store: renewing the lease: %w", err)
	}
	err = s.db.Collection(colLeases).FindOne(ctx, bson.D{{Key: "_id", Value: leaseID(l.Term + 1)}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch {
	case err == nil:
		return l, ErrLeaseLost
	case errors.Is(err, mongo.ErrNoDocuments):
		return l, nil
	default:
		return l, fmt.Errorf("store: renewing the lease: %w", err)
	}
}

// ReleaseLease ends the holder's lease at once (a clean stop), so a standby
// or the next start takes over without waiting for it to expire.
func (s *Store) ReleaseLease(ctx context.Context, l Lease) error {
	_, err := s.db.Collection(colLeases).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: leaseID(l.Term)}, {Key: "holder", Value: l.Holder}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "until", Value: time.Unix(0, 0).UTC()}}}})
	if err != nil {
		return fmt.Errorf("store: releasing the lease: %w", err)
	}
	return nil
}
