package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// newCases opens a real store with a case store whose clock the test
// moves by hand.
func newCases(t testing.TB) (*Cases, *store.Store, *time.Time) {
	t.Helper()
	st := storetest.Open(t)
	s, err := New(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	s.now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}
	return s, st, &clock
}

func request(chatID int64, topic string) OpenRequest {
	return OpenRequest{ChatID: chatID, PersonName: "Amina", Lang: "ar", Topic: topic, HelpPoint: "prils-frascati",
		Answers: map[string]string{"permit_type": "work"}, Summary: "il mio permesso scade"}
}

// count counts the documents of a collection matching filter.
func count(t *testing.T, st *store.Store, coll string, filter bson.D) int64 {
	t.Helper()
	n, err := st.Collection(coll).CountDocuments(context.Background(), filter)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpenConcurrentSamePersonMakesOneCase(t *testing.T) {
	s, st, _ := newCases(t)
	ctx := context.Background()
	const n = 20
	type result struct {
		c       Case
		created bool
		err     error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, created, err := s.Open(ctx, request(4242, "permits"))
			results[i] = result{c, created, err}
		})
	}
	wg.Wait()
	created := 0
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("Open: %v", r.err)
		}
		if r.created {
			created++
		}
		if r.c.ID != results[0].c.ID || r.c.Status != StatusNew || r.c.ChatID != 4242 {
			t.Errorf("got case %+v, another call got %s", r.c, results[0].c.ID)
		}
	}
	if created != 1 {
		t.Errorf("%d calls created a case, want exactly 1", created)
	}
	if got := count(t, st, colCases, bson.D{{Key: "chat_id", Value: int64(4242)}}); got != 1 {
		t.Errorf("%d case documents for the person, want 1", got)
	}
	if got := count(t, st, colClaims, bson.D{{Key: "kind", Value: kindOpen}}); got != 1 {
		t.Errorf("%d open claims, want 1", got)
	}
	t.Logf("20 concurrent Open for one person and topic: 1 case (%s), created=true once", results[0].c.ID)

	// Another topic is another case.
	other, created2, err := s.Open(ctx, request(4242, "health"))
	if err != nil || !created2 || other.ID == results[0].c.ID {
		t.Errorf("Open on another topic = %s, %v, %v", other.ID, created2, err)
	}
}

func TestOpenConcurrentPeopleGetDistinctNumbers(t *testing.T) {
	s, _, _ := newCases(t)
	ctx := context.Background()
	const n = 60 // several claims lost per round, so the search for the next number runs past the hint
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, created, err := s.Open(ctx, request(int64(1000+i), "work"))
			if err != nil || !created {
				t.Errorf("Open for person %d: created=%v, %v", i, created, err)
			}
			ids[i] = c.ID
		})
	}
	wg.Wait()
	slices.Sort(ids)
	for i, id := range ids {
		if want := FormatID(int64(i + 1)); id != want {
			t.Fatalf("case ids %v, want C-000001 to C-%06d without repeats or gaps", ids, n)
		}
	}
}

func TestTakeHasExactlyOneWinner(t *testing.T) {
	s, st, _ := newCases(t)
	ctx := context.Background()
	const rounds, attempts = 10, 50
	for round := range rounds {
		c, _, err := s.Open(ctx, request(int64(500+round), "housing"))
		if err != nil {
			t.Fatal(err)
		}
		type result struct {
			winner Operator
			won    bool
			err    error
		}
		results := make([]result, attempts)
		var wg sync.WaitGroup
		for i := range attempts {
			wg.Go(func() {
				op := Operator{ID: fmt.Sprintf("tg:%d", 100+i), Name: fmt.Sprintf("Operatore %d", i)}
				w, won, err := s.Take(ctx, c.ID, op)
				results[i] = result{w, won, err}
			})
		}
		wg.Wait()
		var winners []Operator
		for _, r := range results {
			if r.err != nil {
				t.Fatalf("round %d: Take: %v", round, r.err)
			}
			if r.won {
				winners = append(winners, r.winner)
			}
		}
		if len(winners) != 1 {
			t.Fatalf("round %d: %d winners, want 1", round, len(winners))
		}
		for i, r := range results {
			if r.winner != winners[0] {
				t.Errorf("round %d: attempt %d was told %+v has it, the winner is %+v", round, i, r.winner, winners[0])
			}
		}
		got, err := s.Get(ctx, c.ID)
		if err != nil || got.Assignee != winners[0] || got.Status != StatusTaken {
			t.Errorf("round %d: case after Take = %+v, %v", round, got, err)
		}
		// The winner asking again still has it; a latecomer does not.
		if w, won, err := s.Take(ctx, c.ID, winners[0]); !won || w != winners[0] || err != nil {
			t.Errorf("round %d: winner again: %+v %v %v", round, w, won, err)
		}
		if w, won, err := s.Take(ctx, c.ID, Operator{ID: "late", Name: "Late"}); won || w != winners[0] || err != nil {
			t.Errorf("round %d: latecomer: %+v %v %v", round, w, won, err)
		}
	}
	if got := count(t, st, colClaims, bson.D{{Key: "kind", Value: kindTake}}); got != rounds {
		t.Errorf("%d take claims, want %d", got, rounds)
	}
	t.Logf("%d rounds of %d concurrent Take: exactly one winner each, every loser told the winner", rounds, attempts)
}

func TestTakeRefusesClosedAndUnknownCases(t *testing.T) {
	s, _, _ := newCases(t)
	ctx := context.Background()
	op := Operator{ID: "tg:1", Name: "Giulia"}
	if _, _, err := s.Take(ctx, "C-000099", op); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Take of an unknown case: %v", err)
	}
	c, _, _ := s.Open(ctx, request(7, "permits"))
	if _, err := s.Close(ctx, c.ID, "risolto", op); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Take(ctx, c.ID, op); !errors.Is(err, ErrClosed) {
		t.Errorf("Take of a closed case: %v", err)
	}
	if _, _, err := s.Take(ctx, c.ID, Operator{}); err == nil {
		t.Error("Take by nobody was accepted")
	}
}

func TestTakeRetriedAfterCrashRepairsTheCase(t *testing.T) {
	s, st, _ := newCases(t)
	ctx := context.Background()
	c, _, _ := s.Open(ctx, request(8, "permits"))
	op := Operator{ID: "tg:1", Name: "Giulia"}
	// The claim was inserted, then the process died before the case was updated.
	if _, err := st.Collection(colClaims).InsertOne(ctx, claim{ID: takeKey(c.ID), Kind: kindTake, CaseID: c.ID, Operator: op, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if list, err := s.Unanswered(ctx, 0, time.Now().Add(time.Hour)); err != nil || len(list) != 0 {
		t.Errorf("a claimed case is listed as unanswered: %v, %v", list, err)
	}
	if w, won, err := s.Take(ctx, c.ID, op); !won || w != op || err != nil {
		t.Fatalf("retry: %+v %v %v", w, won, err)
	}
	if got, _ := s.Get(ctx, c.ID); got.Assignee != op || got.Status != StatusTaken {
		t.Errorf("case after the retry: %+v", got)
	}
}

func TestCloseReleasesTheTopicAndReopen(t *testing.T) {
	s, _, _ := newCases(t)
	ctx := context.Background()
	op := Operator{ID: "tg:1", Name: "Giulia"}
	a, _, _ := s.Open(ctx, request(9, "permits"))
	if again, created, _ := s.Open(ctx, request(9, "permits")); created || again.ID != a.ID {
		t.Fatalf("second Open = %s created=%v, want %s", again.ID, created, a.ID)
	}
	if _, _, err := s.Take(ctx, a.ID, op); err != nil {
		t.Fatal(err)
	}
	closed, err := s.Close(ctx, a.ID, "rinnovo fatto", op)
	if err != nil || closed.Status != StatusClosed || closed.Outcome != "rinnovo fatto" || closed.ClosedBy != op {
		t.Fatalf("Close = %+v, %v", closed, err)
	}
	if _, err := s.Close(ctx, a.ID, "again", op); err != nil {
		t.Errorf("closing twice: %v", err)
	}
	if _, ok, _ := s.OpenCaseOf(ctx, 9, "permits"); ok {
		t.Error("a closed case is still the open case")
	}

	// Reopen the same case: nobody opened another meanwhile.
	r, reopened, err := s.Reopen(ctx, a.ID)
	if err != nil || !reopened || r.ID != a.ID || r.Status != StatusTaken || !r.Closed.IsZero() || r.Outcome != "" {
		t.Fatalf("Reopen = %+v, %v, %v", r, reopened, err)
	}
	if oc, ok, _ := s.OpenCaseOf(ctx, 9, "permits"); !ok || oc.ID != a.ID {
		t.Errorf("open case after Reopen = %s %v", oc.ID, ok)
	}
	if again, created, _ := s.Open(ctx, request(9, "permits")); created || again.ID != a.ID {
		t.Errorf("Open after Reopen = %s created=%v", again.ID, created)
	}

	// Close again; the person opens a new case; reopening the old one
	// gives the new one.
	if _, err := s.Close(ctx, a.ID, "fatto", op); err != nil {
		t.Fatal(err)
	}
	b, created, err := s.Open(ctx, request(9, "permits"))
	if err != nil || !created || b.ID == a.ID {
		t.Fatalf("Open after Close = %s created=%v %v", b.ID, created, err)
	}
	got, reopened, err := s.Reopen(ctx, a.ID)
	if err != nil || reopened || got.ID != b.ID {
		t.Errorf("Reopen with another case open = %s reopened=%v %v, want %s", got.ID, reopened, err, b.ID)
	}
	if old, _ := s.Get(ctx, a.ID); old.Status != StatusClosed {
		t.Errorf("the old case is %s, want closed", old.Status)
	}
}

func TestOpenRecoversFromCrashes(t *testing.T) {
	s, st, _ := newCases(t)
	ctx := context.Background()

	// Close died after the status change, before releasing the claim.
	a, _, _ := s.Open(ctx, request(11, "permits"))
	if _, err := s.update(ctx, a.ID, false, func(c *Case, now time.Time) (bool, error) {
		c.Status, c.Closed = StatusClosed, now
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	b, created, err := s.Open(ctx, request(11, "permits"))
	if err != nil || !created || b.ID == a.ID {
		t.Errorf("Open over a leftover claim = %s created=%v %v", b.ID, created, err)
	}

	// Open died after its claim, before the case document.
	if _, err := st.Collection(colClaims).InsertOne(ctx, claim{ID: openKey(12, "health"), Kind: kindOpen, CaseID: FormatID(77), ChatID: 12, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.OpenCaseOf(ctx, 12, "health"); ok {
		t.Error("a claim without its case counts as open")
	}
	c, created, err := s.Open(ctx, request(12, "health"))
	if err != nil || !created || c.ID != FormatID(77) || c.ChatID != 12 {
		t.Errorf("Open over an orphan claim = %+v created=%v %v", c, created, err)
	}
}
