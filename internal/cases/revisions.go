package cases

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/prils-lazio/presidio/internal/store"
)

// Revisions: how a case changes safely when several processes (or a
// console and a desk) change it at once, on the embedded FerretDB as on
// MongoDB.
//
// FerretDB's updates are not atomic under concurrency (it reads, changes
// and rewrites the whole document), and there are no transactions, so a
// filtered update cannot serve as a compare-and-swap. What is atomic is an
// insert under a unique _id. So every change of a case after its opening
// is the insert of its next revision, "<caseID>#<n>" in "case_revisions",
// holding the whole case as it is after the change. The case is at
// revision n when "<caseID>#<n>" exists and "<caseID>#<n+1>" does not:
// of two changes computed from the same revision, exactly one inserts the
// next one, and the other reads again and recomputes (or is refused, say
// ErrClosed). Nothing is lost and nothing stale is written.
//
// The document in "cases" is a copy of the latest revision, written after
// each insert (revision 0 is the document Open inserts). Get reads the
// copy and then looks for newer revisions by _id, so it always returns the
// latest; a copy left behind (a writer that died between the two writes,
// or two copies written out of order) is brought forward by the next Get
// and by every writer, which looks for a newer revision after writing its
// copy. List, ByThread and the other filtered reads see the copies: they
// may lag a change whose writer died until the case is next read by ID.
//
// Revisions grow with the changes of a case: taking, referring, closing,
// and the turns of its conversation (each answer moves it between taken
// and waiting), so a long conversation makes a few hundred. They are read
// by _id only. Erasure (Forget, SweepClosed) strips the revisions older
// than the erasure to their _id and time, and keeps them: a revision's
// place must stay taken, or a change computed from a stale copy could be
// inserted into the gap and break the chain.
const colRevisions = "case_revisions"

type revisionDoc struct {
	// ID is "<caseID>#<rev>".
	ID string `bson:"_id"`
	// Case is the case after the change; nil on a revision stripped by an
	// erasure (a later one holds the erased case).
	Case *Case `bson:"case,omitempty"`
	// Token tells this writer's insert from another's: a write that landed
	// but reported an error is recognized on retry.
	Token string    `bson:"token"`
	At    time.Time `bson:"at"`
}

func revisionKey(caseID string, rev int64) string {
	return caseID + "#" + strconv.FormatInt(rev, 10)
}

// newToken returns 16 random letters: no digits, so that no token can look
// like part of a chat id to FindTraces.
func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return string(b)
}

// errConflict: another writer inserted the revision first.
var errConflict = errors.New("cases: the case changed meanwhile")

// getRevision reads one revision; ok is false when it does not exist.
func (s *Cases) getRevision(ctx context.Context, caseID string, rev int64) (revisionDoc, bool, error) {
	var r revisionDoc
	err := s.revisions.FindOne(ctx, bson.D{{Key: "_id", Value: revisionKey(caseID, rev)}}).Decode(&r)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return revisionDoc{}, false, nil
	}
	if err != nil {
		return revisionDoc{}, false, fmt.Errorf("cases: reading revision %d of %s: %w", rev, caseID, err)
	}
	return r, true, nil
}

// forward returns the latest revision of c (c itself when there is none
// newer). moved is true when a newer one was found.
func (s *Cases) forward(ctx context.Context, c Case) (latest Case, moved bool, err error) {
	latest = c
	for rev := c.Rev + 1; ; rev++ {
		r, ok, err := s.getRevision(ctx, c.ID, rev)
		if err != nil {
			return Case{}, false, err
		}
		if !ok {
			break
		}
		if r.Case != nil {
			latest = *r.Case
			latest.Rev = rev
		}
		moved = true
	}
	if moved && latest.Rev == c.Rev {
		// Only stripped revisions: an erasure's own revision is never
		// stripped, so this is a store that lost a document.
		return Case{}, false, fmt.Errorf("cases: case %s: revisions after %d hold no case", c.ID, c.Rev)
	}
	return latest, moved, nil
}

// writeCopy brings the case's document up to c and then to any newer
// revision inserted meanwhile (so two copies written out of order end on
// the latest). Failures are left to the next reader: the revision is the
// truth.
func (s *Cases) writeCopy(ctx context.Context, c Case) {
	for range 8 {
		if _, err := s.cases.ReplaceOne(ctx, bson.D{{Key: "_id", Value: c.ID}}, c); err != nil {
			return
		}
		next, moved, err := s.forward(ctx, c)
		if err != nil || !moved {
			return
		}
		c = next
	}
}

// commit inserts the revision after prev holding next. ok is false when
// another writer inserted that revision first (errConflict is not
// returned: the caller reads again). On success next.Rev is set and the
// case's document is updated.
func (s *Cases) commit(ctx context.Context, prev Case, next *Case) (ok bool, err error) {
	next.Rev = prev.Rev + 1
	doc := revisionDoc{ID: revisionKey(prev.ID, next.Rev), Case: next, Token: newToken(), At: s.clock()}
	_, err = s.revisions.InsertOne(ctx, doc)
	if err != nil {
		// A duplicate is somebody else's revision, or ours if an earlier
		// attempt of this insert landed and reported an error.
		r, found, rerr := s.getRevision(ctx, prev.ID, next.Rev)
		switch {
		case rerr != nil:
			return false, errors.Join(err, rerr)
		case found && r.Token == doc.Token:
			// ours: it landed
		case found:
			return false, nil
		case store.IsDuplicate(err):
			return false, nil // deleted meanwhile? read again
		default:
			return false, fmt.Errorf("cases: changing case %s: %w", prev.ID, err)
		}
	}
	s.writeCopy(ctx, *next)
	return true, nil
}

// clone returns a copy of c that shares no map or slice with it.
func clone(c Case) Case {
	c.Answers = maps.Clone(c.Answers)
	c.Referrals = slices.Clone(c.Referrals)
	return c
}

// update applies fn to the latest revision of the case and commits the
// result, again from the new latest revision if another writer came first.
// fn reports whether it changed anything (false: nothing is written, the
// case is returned as read) or an error (returned wrapped, with the case
// as read). Erased cases are refused with ErrErased unless erased is set.
func (s *Cases) update(ctx context.Context, id string, erased bool, fn func(c *Case, now time.Time) (changed bool, err error)) (Case, error) {
	for range maxAttempts {
		c, err := s.Get(ctx, id)
		if err != nil {
			return Case{}, err
		}
		if c.IsErased() && !erased {
			return c, fmt.Errorf("cases: case %s: %w", id, ErrErased)
		}
		now := s.clock()
		next := clone(c)
		changed, err := fn(&next, now)
		if err != nil {
			return c, fmt.Errorf("cases: case %s: %w", id, err)
		}
		if !changed {
			return c, nil
		}
		next.Updated = now
		ok, err := s.commit(ctx, c, &next)
		if err != nil {
			return c, err
		}
		if ok {
			return next, nil
		}
	}
	return Case{}, fmt.Errorf("cases: case %s: %w", id, ErrBusy)
}

// stripRevisions empties the revisions of an erased case older than its
// erasure (rev): they keep their _id, so their place stays taken.
func (s *Cases) stripRevisions(ctx context.Context, caseID string, rev int64) error {
	for k := int64(1); k < rev; k++ {
		_, err := s.revisions.ReplaceOne(ctx, bson.D{{Key: "_id", Value: revisionKey(caseID, k)}},
			revisionDoc{ID: revisionKey(caseID, k), At: s.clock()})
		if err != nil {
			return fmt.Errorf("cases: erasing revision %d of %s: %w", k, caseID, err)
		}
	}
	return nil
}
