package cases

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// The collections of this package. FindTraces reads all of them.
const (
	colCases      = "cases"
	colClaims     = "case_claims"
	colMessages   = "case_messages"
	colDeliveries = "case_deliveries"
)

// Collections returns the names of every collection this package writes
// (a new slice on each call).
func Collections() []string {
	return []string{colCases, colClaims, colMessages, colDeliveries, colReaders, colRevisions, colLive}
}

// Errors of the operations on cases. They are returned wrapped: test them
// with errors.Is. An unknown case ID gives an error matching
// store.ErrNotFound.
var (
	// ErrClosed: the operation needs an open case.
	ErrClosed = errors.New("the case is closed")
	// ErrErased: the case's personal content was erased (Forget,
	// SweepClosed); it can no longer change or receive messages.
	ErrErased = errors.New("the case was erased")
	// ErrBusy: another call on the same claim did not settle in time;
	// trying again is safe.
	ErrBusy = errors.New("the case is being changed by another call, try again")
)

// Cases is the case store. Its methods are safe for concurrent use, also
// by several Cases on one store (several processes): every change is a
// revision (revisions.go), every claim a unique insert (claims.go).
type Cases struct {
	st         *store.Store
	cases      *mongo.Collection
	claims     *mongo.Collection
	messages   *mongo.Collection
	deliveries *mongo.Collection
	revisions  *mongo.Collection
	live       *mongo.Collection // live.go
	now        func() time.Time
}

// New returns the case store kept in st, creating the indexes it needs
// (only those missing, so calling it at every start is cheap).
func New(ctx context.Context, st *store.Store) (*Cases, error) {
	s := &Cases{
		st:         st,
		cases:      st.Collection(colCases),
		claims:     st.Collection(colClaims),
		messages:   st.Collection(colMessages),
		deliveries: st.Collection(colDeliveries),
		revisions:  st.Collection(colRevisions),
		live:       st.Collection(colLive),
		now:        time.Now,
	}
	if err := s.ensureIndexes(ctx); err != nil {
		return nil, err
	}
	if err := s.openLive(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// clock is the current time as BSON keeps it (UTC, milliseconds).
func (s *Cases) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func (s *Cases) ensureIndexes(ctx context.Context) error {
	specs := []struct {
		coll *mongo.Collection
		keys []bson.D
	}{
		{s.cases, []bson.D{
			{{Key: "chat_id", Value: 1}},
			{{Key: "status", Value: 1}, {Key: "created", Value: 1}},
			{{Key: "thread_id", Value: 1}},
			{{Key: "closed", Value: 1}},
		}},
		{s.claims, []bson.D{
			{{Key: "kind", Value: 1}, {Key: "n", Value: -1}},
			{{Key: "chat_id", Value: 1}},
		}},
		{s.messages, []bson.D{
			{{Key: "case_id", Value: 1}, {Key: "seq", Value: 1}},
			{{Key: "topic_message_id", Value: 1}},
		}},
		{s.deliveries, []bson.D{
			{{Key: "case_id", Value: 1}},
			{{Key: "topic_message_id", Value: 1}},
		}},
	}
	// The embedded store's lookups (findByField): the topic's case, a
	// person's latest case, the cases nobody took, a case's messages and a
	// topic message's case message.
	for coll, fields := range map[string][]string{
		colCases:      {"thread_id", "chat_id", "status"},
		colMessages:   {"case_id", "topic_message_id"},
		colDeliveries: {"case_id", "topic_message_id"},
	} {
		if err := s.st.IndexForLookups(ctx, coll, fields...); err != nil {
			return fmt.Errorf("cases: %w", err)
		}
	}
	for _, spec := range specs {
		models := make([]mongo.IndexModel, len(spec.keys))
		for i, k := range spec.keys {
			models[i] = mongo.IndexModel{Keys: k}
		}
		if err := store.EnsureIndexes(ctx, spec.coll, models...); err != nil {
			return fmt.Errorf("cases: %w", err)
		}
	}
	return nil
}

// Get returns the case with this ID as of its latest revision; an unknown
// ID gives an error matching store.ErrNotFound.
func (s *Cases) Get(ctx context.Context, id string) (Case, error) {
	var c Case
	err := s.cases.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Case{}, fmt.Errorf("cases: case %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Case{}, fmt.Errorf("cases: reading case %q: %w", id, err)
	}
	latest, moved, err := s.forward(ctx, c)
	if err != nil {
		return Case{}, err
	}
	if moved {
		s.writeCopy(ctx, latest) // the copy lagged: bring it forward
	}
	return latest, nil
}

func (s *Cases) find(ctx context.Context, filter bson.D, opts ...options.Lister[options.FindOptions]) ([]Case, error) {
	cur, err := s.cases.Find(ctx, filter, opts...)
	if err != nil {
		return nil, fmt.Errorf("cases: reading cases: %w", err)
	}
	var out []Case
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("cases: reading cases: %w", err)
	}
	return out, nil
}

// findBy returns the stored cases whose field equals value (findByField:
// through the store's index on the embedded store, so the cost follows the
// cases found, not every case kept).
func (s *Cases) findBy(ctx context.Context, field string, value any) ([]Case, error) {
	list, err := findByField[Case](ctx, s, s.cases, field, value)
	if err != nil {
		return nil, fmt.Errorf("cases: finding cases by %s: %w", field, err)
	}
	return list, nil
}

// SetThread records the operators' forum topic of the case and the message
// in it that shows the case card. Setting the same values again changes
// nothing; new values replace the old. The desk uses ClaimThread and
// SetCard, which never replace a topic another process just set.
func (s *Cases) SetThread(ctx context.Context, caseID string, threadID, cardMessageID int) error {
	if threadID <= 0 || cardMessageID < 0 {
		return fmt.Errorf("cases: case %s: thread id %d / card message id %d are not Telegram ids", caseID, threadID, cardMessageID)
	}
	_, err := s.update(ctx, caseID, false, func(c *Case, _ time.Time) (bool, error) {
		if c.ThreadID == threadID && c.CardMessageID == cardMessageID {
			return false, nil
		}
		c.ThreadID, c.CardMessageID = threadID, cardMessageID
		return true, nil
	})
	return err
}

// ClaimThread sets the case's forum topic to thread if the case's topic is
// still old (0: none yet; or the topic that was deleted), and returns the
// case. won is false when the case has another topic by now (another
// process or lane created one first): the caller then deletes the topic it
// created and uses c.ThreadID. Of concurrent claims from the same old
// topic exactly one wins. Claiming the topic the case has is a win.
func (s *Cases) ClaimThread(ctx context.Context, caseID string, old, thread int) (c Case, won bool, err error) {
	if thread <= 0 || old < 0 {
		return Case{}, false, fmt.Errorf("cases: case %s: thread id %d is not a Telegram id", caseID, thread)
	}
	c, err = s.update(ctx, caseID, false, func(c *Case, _ time.Time) (bool, error) {
		if c.ThreadID != old {
			return false, nil
		}
		c.ThreadID, c.CardMessageID = thread, 0
		return true, nil
	})
	return c, err == nil && c.ThreadID == thread, err
}

// SetCard records which message of the case's topic threadID shows the
// case card. It changes nothing when the case has another topic now.
func (s *Cases) SetCard(ctx context.Context, caseID string, threadID, cardMessageID int) error {
	if cardMessageID < 0 {
		return fmt.Errorf("cases: case %s: card message id %d is not a Telegram id", caseID, cardMessageID)
	}
	_, err := s.update(ctx, caseID, false, func(c *Case, _ time.Time) (bool, error) {
		if c.ThreadID != threadID || c.CardMessageID == cardMessageID {
			return false, nil
		}
		c.CardMessageID = cardMessageID
		return true, nil
	})
	return err
}

// Refer appends a referral to a directory service and sets the status to
// referred. The case must be open (else ErrClosed). Every call appends one
// referral, also when another is being added at the same moment (both are
// kept): the caller calls it once per operator action (a replay of the
// same update must be filtered by the caller's applied-updates list).
func (s *Cases) Refer(ctx context.Context, caseID, serviceID string, by Operator, note string) (Case, error) {
	var p problems
	checkSlug(&p, "service", serviceID, true)
	checkOperator(&p, "operator", by)
	checkText(&p, "note", note, MaxTextLength)
	if err := p.err("referral of " + caseID); err != nil {
		return Case{}, err
	}
	return s.update(ctx, caseID, false, func(c *Case, now time.Time) (bool, error) {
		if !c.Status.IsOpen() {
			return false, ErrClosed
		}
		c.Referrals = append(c.Referrals, Referral{ServiceID: serviceID, By: by, Note: note, At: now})
		c.Status = StatusReferred
		return true, nil
	})
}

// SetWaiting moves an open case that has an assignee between taken
// (waiting=false) and waiting for the person (waiting=true). A referred
// case becomes waiting or taken too. A new case (nobody took it) or a
// closed one is refused.
func (s *Cases) SetWaiting(ctx context.Context, caseID string, waiting bool) (Case, error) {
	want := StatusTaken
	if waiting {
		want = StatusWaiting
	}
	return s.update(ctx, caseID, false, func(c *Case, _ time.Time) (bool, error) {
		switch {
		case c.Status == StatusClosed:
			return false, ErrClosed
		case c.Assignee.ID == "":
			return false, errors.New("nobody has taken the case")
		case c.Status == want:
			return false, nil
		}
		c.Status = want
		return true, nil
	})
}

// MarkFirstResponse records when an operator first wrote to the person.
// Only the first call counts; later ones change nothing.
func (s *Cases) MarkFirstResponse(ctx context.Context, caseID string, at time.Time) error {
	at = at.UTC().Truncate(time.Millisecond)
	_, err := s.update(ctx, caseID, false, func(c *Case, now time.Time) (bool, error) {
		if !c.FirstResponse.IsZero() {
			return false, nil
		}
		c.FirstResponse = at
		if at.IsZero() {
			c.FirstResponse = now
		}
		return true, nil
	})
	return err
}

// SetBridge switches the language bridge on or off for the case (open or
// closed). Setting the state it has changes nothing.
func (s *Cases) SetBridge(ctx context.Context, caseID string, on bool) (Case, error) {
	return s.update(ctx, caseID, false, func(c *Case, _ time.Time) (bool, error) {
		if c.BridgeOff == !on {
			return false, nil
		}
		c.BridgeOff = !on
		return true, nil
	})
}

// SetFeedback records the person's feedback on the case (open or closed);
// a later answer replaces an earlier one.
func (s *Cases) SetFeedback(ctx context.Context, caseID string, value Feedback) error {
	if !value.Valid() {
		return fmt.Errorf("cases: case %s: feedback %q is unknown (valid: helped, partly, not)", caseID, value)
	}
	_, err := s.update(ctx, caseID, false, func(c *Case, _ time.Time) (bool, error) {
		if c.Feedback == value {
			return false, nil
		}
		c.Feedback = value
		return true, nil
	})
	return err
}

// Close closes the case with the operator's outcome and then deletes the
// person's open-case claim for the topic, so the next Open creates a new
// case. Closing a closed case changes nothing and returns it (the first
// outcome stays). (If the process dies between the two steps, the claim
// names a closed case: Open and Reopen recognize such a leftover and clear
// it.)
func (s *Cases) Close(ctx context.Context, caseID, outcome string, by Operator) (Case, error) {
	c, _, err := s.CloseCase(ctx, caseID, outcome, by)
	return c, err
}

// CloseCase is Close that also says whether this call closed the case:
// of concurrent closes exactly one gets closed true (the others find it
// closed, with the winner's outcome).
func (s *Cases) CloseCase(ctx context.Context, caseID, outcome string, by Operator) (c Case, closed bool, err error) {
	var p problems
	checkOperator(&p, "operator", by)
	checkText(&p, "outcome", outcome, MaxTextLength)
	if err := p.err("closing " + caseID); err != nil {
		return Case{}, false, err
	}
	c, err = s.update(ctx, caseID, false, func(c *Case, now time.Time) (bool, error) {
		closed = false
		if c.Status == StatusClosed {
			return false, nil
		}
		c.Status, c.Outcome, c.ClosedBy, c.Closed = StatusClosed, outcome, by, now
		closed = true
		return true, nil
	})
	if err != nil {
		return c, false, err
	}
	// Also when it was closed already: a previous Close may have stopped
	// before this step.
	if err := s.releaseOpenClaim(ctx, c); err != nil {
		return c, closed, err
	}
	return c, closed, nil
}

// Filter selects cases in List. Its zero value selects every case.
type Filter struct {
	// Status keeps only that status; empty keeps all.
	Status Status
	// Lang, Topic and HelpPoint keep only that value; empty keeps all.
	Lang, Topic, HelpPoint string
	// Urgent, when set, keeps only urgent (true) or non-urgent cases.
	Urgent *bool
	// OlderThan keeps only cases created at least that long ago.
	OlderThan time.Duration
}

// List returns the cases matching f, oldest first (ties by ID). An unknown
// status is an error, not an empty list.
func (s *Cases) List(ctx context.Context, f Filter) ([]Case, error) {
	if f.Status != "" && !f.Status.Valid() {
		return nil, fmt.Errorf("cases: unknown status %q", f.Status)
	}
	filter := bson.D{}
	add := func(key string, v any) { filter = append(filter, bson.E{Key: key, Value: v}) }
	if f.Status != "" {
		add("status", f.Status)
	}
	if f.Lang != "" {
		add("lang", f.Lang)
	}
	if f.Topic != "" {
		add("topic", f.Topic)
	}
	if f.HelpPoint != "" {
		add("help_point", f.HelpPoint)
	}
	if f.Urgent != nil {
		if *f.Urgent {
			add("urgent", true)
		} else {
			add("urgent", bson.D{{Key: "$ne", Value: true}})
		}
	}
	if f.OlderThan > 0 {
		add("created", bson.D{{Key: "$lte", Value: s.clock().Add(-f.OlderThan)}})
	}
	out, err := s.find(ctx, filter)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Case) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Unanswered returns the new cases created at or before now-olderThan that
// nobody has taken (no take claim either, so a Take interrupted before it
// updated the case does not count as unanswered): urgent ones first, then
// oldest first. The app re-raises them in the operators' group.
func (s *Cases) Unanswered(ctx context.Context, olderThan time.Duration, now time.Time) ([]Case, error) {
	list, err := s.findBy(ctx, "status", string(StatusNew))
	if err != nil {
		return nil, err
	}
	cutoff := now.Add(-olderThan)
	list = slices.DeleteFunc(list, func(c Case) bool { return c.Status != StatusNew || c.Created.After(cutoff) })
	var untaken []Case
	for _, c := range list { // each by _id: a $in is a whole read on the embedded store
		_, taken, err := s.getClaim(ctx, takeKey(c.ID))
		if err != nil {
			return nil, fmt.Errorf("cases: reading take claims: %w", err)
		}
		if !taken {
			untaken = append(untaken, c)
		}
	}
	list = untaken
	slices.SortFunc(list, func(a, b Case) int {
		if a.Urgent != b.Urgent {
			if a.Urgent {
				return -1
			}
			return 1
		}
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	return list, nil
}

// ByThread returns the case whose operators' topic is threadID (the most
// recent one, should a topic have been reused); ok is false when none.
func (s *Cases) ByThread(ctx context.Context, threadID int) (c Case, ok bool, err error) {
	if threadID <= 0 {
		return Case{}, false, nil
	}
	return s.latest(ctx, "thread_id", threadID)
}

// LatestCaseOf returns the person's most recently created case, open or
// closed; ok is false when they have none (or it was erased).
func (s *Cases) LatestCaseOf(ctx context.Context, chatID int64) (c Case, ok bool, err error) {
	if chatID == 0 {
		return Case{}, false, nil
	}
	return s.latest(ctx, "chat_id", chatID)
}

// latest returns, as of its latest revision, the most recently created
// case whose stored document has field = value.
func (s *Cases) latest(ctx context.Context, field string, value any) (Case, bool, error) {
	list, err := s.findBy(ctx, field, value)
	if err != nil || len(list) == 0 {
		return Case{}, false, err
	}
	c := slices.MaxFunc(list, func(a, b Case) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	if c, err = s.Get(ctx, c.ID); err != nil { // its latest revision
		return Case{}, false, err
	}
	return c, true, nil
}
