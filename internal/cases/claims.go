package cases

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// Kinds of claim documents in "case_claims". A claim is held by whoever
// inserted its _id first: the unique index decides, on the embedded
// FerretDB as on MongoDB.
const (
	kindNumber = "casenum" // _id "casenum#<n>": case number n is used
	kindOpen   = "open"    // _id "<chatID>#<topic>#open": the person's open case on the topic
	kindTake   = "take"    // _id "<caseID>#take": the operator who has the case
)

type claim struct {
	ID       string   `bson:"_id"`
	Kind     string   `bson:"kind"`
	N        int64    `bson:"n,omitempty"`
	CaseID   string   `bson:"case_id,omitempty"`
	ChatID   int64    `bson:"chat_id,omitempty"`
	Operator Operator `bson:"operator,omitempty"`
	// Rev (open claims) is the case's revision when the claim was
	// inserted: 0 by Open, the closed revision by Reopen. A Close at
	// revision r releases only a claim older than r, never the claim of a
	// Reopen that came after it.
	Rev int64 `bson:"rev,omitempty"`
	// Token (open claims) tells this insert from a later one under the
	// same _id, so a release deletes only the claim it looked at.
	Token string    `bson:"token,omitempty"`
	At    time.Time `bson:"at"`
}

func numberKey(n int64) string { return "casenum#" + strconv.FormatInt(n, 10) }

func openKey(chatID int64, topic string) string {
	return strconv.FormatInt(chatID, 10) + "#" + topic + "#open"
}

func takeKey(caseID string) string { return caseID + "#take" }

// maxAttempts bounds the retries of a claim lost to a concurrent call.
const maxAttempts = 1000

// getClaim reads a claim; ok is false when nobody holds it.
func (s *Cases) getClaim(ctx context.Context, key string) (claim, bool, error) {
	var cl claim
	err := s.claims.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&cl)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return claim{}, false, nil
	}
	if err != nil {
		return claim{}, false, fmt.Errorf("cases: reading claim %s: %w", key, err)
	}
	return cl, true, nil
}

// insertClaim tries to take a claim: won is false when somebody holds it.
func (s *Cases) insertClaim(ctx context.Context, cl claim) (won bool, err error) {
	_, err = s.claims.InsertOne(ctx, cl)
	if store.IsDuplicate(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cases: claiming %s: %w", cl.ID, err)
	}
	return true, nil
}

// numberHintKey is the _id of the hint: a document (no kind) whose n is a
// case number claimed already, at or below the highest. allocateNumber
// starts its search there, so it reads a few claims by _id instead of
// sorting every number claim (on the embedded store any query but _id
// equality reads the whole collection). The hint is raised with $max
// after each allocation, best effort: the embedded FerretDB does not apply
// $max atomically, so it may go back, but it only ever holds numbers
// claimed, so it is never above the highest.
const numberHintKey = "casenum#hint"

// highestNumber returns the highest case number claimed so far (0: none),
// by reading every number claim: only when there is no usable hint (a
// store written before the hint existed).
func (s *Cases) highestNumber(ctx context.Context) (int64, error) {
	var cl claim
	err := s.claims.FindOne(ctx, bson.D{{Key: "kind", Value: kindNumber}},
		options.FindOne().SetSort(bson.D{{Key: "n", Value: -1}}).SetProjection(bson.D{{Key: "n", Value: 1}})).Decode(&cl)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cases: reading the last case number: %w", err)
	}
	return cl.N, nil
}

// numberClaimed reports whether case number n is claimed (0 counts as
// claimed: the run of numbers starts after it).
func (s *Cases) numberClaimed(ctx context.Context, n int64) (bool, error) {
	if n <= 0 {
		return true, nil
	}
	_, held, err := s.getClaim(ctx, numberKey(n))
	return held, err
}

// startNumber returns a claimed case number (or 0) to search from: the
// hint's, checked; without a hint, or with one naming a number not
// claimed, the highest claimed (read once, then the hint is set again:
// repair is true).
func (s *Cases) startNumber(ctx context.Context) (n int64, repair bool, err error) {
	var hint claim
	err = s.claims.FindOne(ctx, bson.D{{Key: "_id", Value: numberHintKey}}).Decode(&hint)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
	case err != nil:
		return 0, false, fmt.Errorf("cases: reading the case number hint: %w", err)
	default:
		held, err := s.numberClaimed(ctx, hint.N)
		if err != nil {
			return 0, false, err
		}
		if held {
			return hint.N, false, nil
		}
	}
	n, err = s.highestNumber(ctx)
	return n, true, err
}

// lastOfRun returns the end of the run of claimed numbers that holds n
// (claimed, or 0): the k >= n with k claimed and k+1 not. It gallops (n+1,
// n+2, n+4, ...) then bisects, so it reads O(log(k-n)) claims by _id. The
// claimed numbers are 1..highest without holes (each is claimed as the
// successor of one seen claimed, and number claims are never deleted), so
// the end of the run is the highest number claimed when it was read.
func (s *Cases) lastOfRun(ctx context.Context, n int64) (int64, error) {
	lo, step := n, int64(1) // lo is claimed
	var hi int64            // hi is not claimed
	for {
		held, err := s.numberClaimed(ctx, lo+step)
		if err != nil {
			return 0, err
		}
		if !held {
			hi = lo + step
			break
		}
		lo += step
		step *= 2
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		held, err := s.numberClaimed(ctx, mid)
		if err != nil {
			return 0, err
		}
		if held {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// raiseHint records n, just claimed, in the hint: $max on MongoDB; on the
// embedded store a concurrent raise may leave a lower number claimed,
// which only lengthens the next search. set (after a repair) replaces
// the hint, which may lower it. Best effort: a failure costs the next
// allocation a longer search, never a wrong number, so it is not reported.
func (s *Cases) raiseHint(ctx context.Context, n int64, set bool) {
	op := "$max"
	if set {
		op = "$set"
	}
	_, _ = s.claims.UpdateOne(ctx, bson.D{{Key: "_id", Value: numberHintKey}},
		bson.D{{Key: op, Value: bson.D{{Key: "n", Value: n}}}},
		options.UpdateOne().SetUpsert(true))
}

// allocateNumber claims the next case number by inserting "casenum#<n>":
// n is one past the end of the run of claimed numbers, found from the
// hint (numberHintKey) with a few reads by _id; a number taken meanwhile
// is skipped. No counter is relied on, so there is nothing to lose under
// concurrency: the unique _id decides. Numbers are unique, increasing
// (each is one past a number seen claimed, and the run holds every number
// claimed before) and never reused (number claims are never deleted: they
// hold no personal data, just the number and when it was claimed). A
// number whose case was never created (a lost race in Open) leaves a gap
// in the case IDs, not in the claims. The cost does not grow with the
// number of cases: a hint read, a check, two or so probes, an insert and
// the hint's update, plus the claims made since the hint was written.
func (s *Cases) allocateNumber(ctx context.Context) (int64, error) {
	start, repair, err := s.startNumber(ctx)
	if err != nil {
		return 0, err
	}
	for range maxAttempts {
		last, err := s.lastOfRun(ctx, start)
		if err != nil {
			return 0, err
		}
		n := last + 1
		won, err := s.insertClaim(ctx, claim{ID: numberKey(n), Kind: kindNumber, N: n, At: s.clock()})
		if err != nil {
			return 0, err
		}
		if won {
			s.raiseHint(ctx, n, repair)
			return n, nil
		}
		start = n // claimed by somebody else: search on from there
	}
	return 0, fmt.Errorf("cases: no case number free after %d attempts: %w", maxAttempts, ErrBusy)
}

// OpenRequest is what the bot knows when a conversation escalates.
type OpenRequest struct {
	// ChatID is the person's private chat with the bot (required).
	ChatID int64
	// PersonName is the name the person has on Telegram.
	PersonName string
	Lang       string
	// Topic is required: a-z, 0-9 and "-" ("permits", "health", "urgent").
	Topic string
	// HelpPoint is a directory ID, or empty.
	HelpPoint string
	Urgent    bool
	Answers   map[string]string
	Summary   string
}

func (r OpenRequest) newCase(id string, now time.Time) Case {
	return Case{
		ID: id, ChatID: r.ChatID, PersonName: r.PersonName, Lang: r.Lang, Topic: r.Topic,
		HelpPoint: r.HelpPoint, Status: StatusNew, Urgent: r.Urgent, Answers: maps.Clone(r.Answers),
		Summary: r.Summary, Created: now, Updated: now,
	}
}

// Validate returns nil when r can open a case, else a *ValidationError.
func (r OpenRequest) Validate() error {
	c := r.newCase(FormatID(1), time.Unix(1, 0))
	if err := c.Validate(); err != nil {
		return &ValidationError{What: "open request", Problems: err.(*ValidationError).Problems}
	}
	return nil
}

// Open opens a case for the person on the topic, or returns the case
// already open there (created is false then; the request's answers and
// summary are not merged into it).
//
// At most one open case per person per topic: the case is the one named by
// the claim "<chatID>#<topic>#open", which Open inserts before the case
// document. Any number of concurrent calls for the same person and topic
// return the same case, exactly one of them with created true. If a call
// dies between its claim and its case document, the next call creates the
// case under the claimed ID.
func (s *Cases) Open(ctx context.Context, req OpenRequest) (c Case, created bool, err error) {
	if err := req.Validate(); err != nil {
		return Case{}, false, err
	}
	key := openKey(req.ChatID, req.Topic)
	for range maxAttempts {
		cl, held, err := s.getClaim(ctx, key)
		if err != nil {
			return Case{}, false, err
		}
		if !held {
			n, err := s.allocateNumber(ctx)
			if err != nil {
				return Case{}, false, err
			}
			cl = claim{ID: key, Kind: kindOpen, CaseID: FormatID(n), ChatID: req.ChatID, Token: newToken(), At: s.clock()}
			// Listed before it can be claimed: /forget finds every case (live.go).
			if err := s.addLive(ctx, cl.CaseID, req.ChatID, req.Topic); err != nil {
				return Case{}, false, err
			}
			won, err := s.insertClaim(ctx, cl)
			if err != nil {
				return Case{}, false, err
			}
			if !won {
				continue // somebody opened one meanwhile: read their claim
			}
			c := req.newCase(cl.CaseID, s.clock())
			_, err = s.cases.InsertOne(ctx, c)
			if err == nil {
				return c, true, nil
			}
			if !store.IsDuplicate(err) {
				return Case{}, false, fmt.Errorf("cases: creating case %s: %w", cl.CaseID, err)
			}
			// Another call found our claim without its case and created it.
		}
		c, created, settled, err := s.resolveOpen(ctx, cl, req)
		if err != nil || settled {
			return c, created, err
		}
	}
	return Case{}, false, fmt.Errorf("cases: opening a case on %s: %w", req.Topic, ErrBusy)
}

// resolveOpen turns the open claim cl into its case. When the case
// document is missing (its opener is between its two inserts, or died
// there) it inserts it from req under the claimed ID: the unique _id lets
// one version in. When the case is closed, the claim is a leftover of a
// Close that stopped midway: it is cleared and settled is false (try
// again).
func (s *Cases) resolveOpen(ctx context.Context, cl claim, req OpenRequest) (c Case, created, settled bool, err error) {
	c, err = s.Get(ctx, cl.CaseID)
	if errors.Is(err, store.ErrNotFound) {
		c = req.newCase(cl.CaseID, s.clock())
		_, err = s.cases.InsertOne(ctx, c)
		if err == nil {
			return c, true, true, nil
		}
		if !store.IsDuplicate(err) {
			return Case{}, false, false, fmt.Errorf("cases: creating case %s: %w", cl.CaseID, err)
		}
		c, err = s.Get(ctx, cl.CaseID)
	}
	if err != nil {
		return Case{}, false, false, err
	}
	if c.Status.IsOpen() {
		return c, false, true, nil
	}
	c, open, err := s.clearLeftover(ctx, cl)
	return c, false, open, err
}

// clearLeftover deletes the open claim cl, which names a case that was
// closed: the claim outlived a Close (or Forget) that stopped before
// releasing it. If the case turns out open (a Reopen), it is returned with
// open true and the claim stays. A claim inserted by a Reopen still in
// progress (its revision is the case's) is left alone for a while; the
// caller reads again.
func (s *Cases) clearLeftover(ctx context.Context, cl claim) (c Case, open bool, err error) {
	c, err = s.Get(ctx, cl.CaseID)
	if err != nil {
		return Case{}, false, err
	}
	if c.Status.IsOpen() {
		return c, true, nil
	}
	if !c.IsErased() && cl.Rev >= c.Rev && s.clock().Sub(cl.At) < reopenGrace {
		time.Sleep(10 * time.Millisecond)
		return Case{}, false, nil
	}
	return Case{}, false, s.deleteClaim(ctx, cl)
}

// reopenGrace is how long a Reopen may take between its claim and its
// revision before the claim counts as abandoned (its process died).
const reopenGrace = 30 * time.Second

// deleteClaim deletes the open claim cl, and only that insert of it (its
// token): a claim inserted again meanwhile stays.
func (s *Cases) deleteClaim(ctx context.Context, cl claim) error {
	filter := bson.D{{Key: "_id", Value: cl.ID}, {Key: "case_id", Value: cl.CaseID}}
	if cl.Token != "" {
		filter = append(filter, bson.E{Key: "token", Value: cl.Token})
	}
	if _, err := s.claims.DeleteOne(ctx, filter); err != nil {
		return fmt.Errorf("cases: releasing claim %s: %w", cl.ID, err)
	}
	return nil
}

// releaseOpenClaim deletes the person's open claim if it names c (closed
// or erased, at revision c.Rev) and was inserted before c's closing: a
// Reopen's claim, inserted after, stays.
func (s *Cases) releaseOpenClaim(ctx context.Context, c Case) error {
	cl, held, err := s.getClaim(ctx, openKey(c.ChatID, c.Topic))
	if err != nil || !held || cl.CaseID != c.ID || cl.Rev >= c.Rev {
		return err
	}
	return s.deleteClaim(ctx, cl)
}

// OpenCaseOf returns the person's open case on the topic; ok is false when
// there is none.
func (s *Cases) OpenCaseOf(ctx context.Context, chatID int64, topic string) (c Case, ok bool, err error) {
	cl, held, err := s.getClaim(ctx, openKey(chatID, topic))
	if err != nil || !held {
		return Case{}, false, err
	}
	c, err = s.Get(ctx, cl.CaseID)
	if errors.Is(err, store.ErrNotFound) { // being created, or its opener died: not open yet
		return Case{}, false, nil
	}
	if err != nil || !c.Status.IsOpen() {
		return Case{}, false, err
	}
	return c, true, nil
}

// Take gives the case to operator, unless another operator has it: the
// claim is the insert of "<caseID>#take", so of any number of concurrent
// attempts exactly one wins. won is true for the winner and for the
// winner asking again; winner is who has the case (as they first claimed
// it). The case then shows the winner as assignee and, if it was new,
// status taken. A closed or erased case cannot be taken (ErrClosed,
// ErrErased); the claim stays when a case is closed and reopened, so the
// same operator keeps it.
func (s *Cases) Take(ctx context.Context, caseID string, operator Operator) (winner Operator, won bool, err error) {
	var p problems
	checkOperator(&p, "operator", operator)
	if err := p.err("taking " + caseID); err != nil {
		return Operator{}, false, err
	}
	c, err := s.Get(ctx, caseID)
	if err != nil {
		return Operator{}, false, err
	}
	switch {
	case c.IsErased():
		return Operator{}, false, fmt.Errorf("cases: case %s: %w", caseID, ErrErased)
	case !c.Status.IsOpen():
		return Operator{}, false, fmt.Errorf("cases: case %s: %w", caseID, ErrClosed)
	}
	winner = operator
	key := takeKey(caseID)
	fresh, err := s.insertClaim(ctx, claim{ID: key, Kind: kindTake, CaseID: caseID, Operator: operator, At: s.clock()})
	if err != nil {
		return Operator{}, false, err
	}
	if !fresh {
		cl, held, err := s.getClaim(ctx, key)
		if err != nil {
			return Operator{}, false, err
		}
		if !held { // claims of cases are never deleted
			return Operator{}, false, fmt.Errorf("cases: take claim of %s vanished: %w", caseID, ErrBusy)
		}
		if cl.Operator.ID != operator.ID {
			return cl.Operator, false, nil
		}
		winner = cl.Operator
	}
	// Record it on the case (again, when the winner retries after a crash
	// between the claim and this change). A case closed meanwhile stays
	// closed: the take is refused, the claim stays for a reopening.
	_, err = s.update(ctx, caseID, false, func(c *Case, _ time.Time) (bool, error) {
		if !c.Status.IsOpen() {
			return false, ErrClosed
		}
		changed := false
		if c.Assignee != winner {
			c.Assignee, changed = winner, true
		}
		if c.Status == StatusNew {
			c.Status, changed = StatusTaken, true
		}
		return changed, nil
	})
	if err != nil {
		return Operator{}, false, err
	}
	return winner, true, nil
}

// Reopen reopens a closed case by inserting its open claim again. If the
// person meanwhile opened another case on the topic, that case holds the
// claim: it is returned with reopened false and this case stays closed.
// Otherwise the case is returned open (taken if it has an assignee, else
// new; outcome and closing time cleared) with reopened true, also when it
// was open already. An erased case cannot be reopened (ErrErased).
func (s *Cases) Reopen(ctx context.Context, caseID string) (c Case, reopened bool, err error) {
	for range maxAttempts {
		c, other, err := s.reopenOnce(ctx, caseID)
		if err != nil || other.ID == "" {
			return c, err == nil, err
		}
		// The claim names another case: return it if open; clear it if it
		// is a closed case's leftover; wait if it is still being created.
		o, err := s.Get(ctx, other.CaseID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			time.Sleep(10 * time.Millisecond)
		case err != nil:
			return Case{}, false, err
		case o.Status.IsOpen():
			return o, false, nil
		default:
			o, open, err := s.clearLeftover(ctx, other)
			if err != nil || open {
				return o, false, err
			}
		}
	}
	return Case{}, false, fmt.Errorf("cases: reopening %s: %w", caseID, ErrBusy)
}

// reopenOnce claims the person's open case on the topic for the case and
// then commits the reopening; other is the case that holds the claim
// instead, if any.
func (s *Cases) reopenOnce(ctx context.Context, caseID string) (c Case, other claim, err error) {
	c, err = s.Get(ctx, caseID)
	if err != nil {
		return Case{}, claim{}, err
	}
	if c.IsErased() {
		return c, claim{}, fmt.Errorf("cases: case %s: %w", caseID, ErrErased)
	}
	if c.Status.IsOpen() {
		return c, claim{}, nil
	}
	key := openKey(c.ChatID, c.Topic)
	mine := claim{ID: key, Kind: kindOpen, CaseID: caseID, ChatID: c.ChatID, Rev: c.Rev, Token: newToken(), At: s.clock()}
	for attempt := 0; ; attempt++ {
		if attempt == maxAttempts {
			return Case{}, claim{}, fmt.Errorf("cases: reopening %s: %w", caseID, ErrBusy)
		}
		won, err := s.insertClaim(ctx, mine)
		if err != nil {
			return Case{}, claim{}, err
		}
		if won {
			break
		}
		cl, held, err := s.getClaim(ctx, key)
		if err != nil {
			return Case{}, claim{}, err
		}
		if !held {
			continue // released meanwhile
		}
		if cl.CaseID != caseID {
			return Case{}, cl, nil
		}
		if cl.Token == mine.Token || cl.Rev >= c.Rev {
			mine = cl // ours (an insert that landed and reported an error), or a concurrent Reopen's
			break
		}
		// Older than the closing: a Close's leftover, or being released
		// by that Close right now. Replace it with ours.
		if err := s.deleteClaim(ctx, cl); err != nil {
			return Case{}, claim{}, err
		}
	}
	next := clone(c)
	next.Status = StatusNew
	if next.Assignee.ID != "" {
		next.Status = StatusTaken
	}
	now := s.clock()
	next.Outcome, next.ClosedBy, next.Closed, next.Updated = "", Operator{}, time.Time{}, now
	ok, err := s.commit(ctx, c, &next)
	if err != nil {
		return Case{}, claim{}, fmt.Errorf("cases: reopening %s: %w", caseID, err)
	}
	if !ok {
		// The case changed meanwhile (reopened by another call, its
		// feedback recorded, erased): read it again.
		if now, err := s.Get(ctx, caseID); err == nil && now.IsErased() {
			return now, claim{}, errors.Join(fmt.Errorf("cases: case %s: %w", caseID, ErrErased), s.deleteClaim(ctx, mine))
		}
		return s.reopenOnce(ctx, caseID)
	}
	return next, claim{}, nil
}
