package courses

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The steps of an offer can be cut by a crash anywhere; Sweep completes
// them without losing or doubling an offer. Each case below builds the
// state a crash would leave, by doing the steps before the crash by hand.
func TestSweepCompletesHalfDoneSteps(t *testing.T) {
	c, _ := newCourses(t, Config{})
	ctx := context.Background()
	clock := time.Now()
	c.now = func() time.Time { return clock }
	fullCourse(t, c, "crash", 3)
	for _, chat := range []int64{90, 91, 92} {
		if _, err := c.JoinWaitingList(ctx, "crash", person(chat)); err != nil {
			t.Fatal(err)
		}
	}

	// 1. A crash after an offer was made and before it was announced.
	freed := c.mustPlace(t, "crash", 1)
	if err := c.endPlace(ctx, freed, "cancelled"); err != nil {
		t.Fatal(err)
	}
	s, _ := c.load(ctx, "crash", bson.D{}, false)
	w := queue(s)[0]
	d := placeDoc{
		ID: placeID("crash", freed.N), Course: "crash", N: freed.N, Token: newToken(), Holder: holderOf("crash", w.ChatID),
		Kind: kindOffered, ChatID: w.ChatID, At: c.stamp(), Expires: clock.Add(48 * time.Hour), WaitSeq: w.Seq,
	}
	if taken, err := c.insert(ctx, d); err != nil || taken {
		t.Fatalf("offer by hand: %v %v", taken, err)
	}
	// Its maker may still be at work for OpTimeout: not announced yet.
	if offers, err := c.Sweep(ctx, clock); err != nil || len(offers) != 0 {
		t.Fatalf("sweep right after: %+v %v", offers, err)
	}
	clock = clock.Add(2 * time.Minute)
	offers, err := c.Sweep(ctx, clock)
	if err != nil || len(offers) != 1 || offers[0].ChatID != 90 {
		t.Fatalf("sweep after the crash: %+v %v; want the offer to 90", offers, err)
	}
	// Returned until the caller says it was announced (queued).
	if again, _ := c.Sweep(ctx, clock); len(again) != 1 || again[0].ID != offers[0].ID {
		t.Fatalf("an offer not yet announced is not returned again: %+v", again)
	}
	if err := c.MarkAnnounced(ctx, offers); err != nil {
		t.Fatal(err)
	}
	if offers, _ := c.Sweep(ctx, clock); len(offers) != 0 {
		t.Fatalf("announced twice: %+v", offers)
	}

	// 2. A crash after the offer was decided expired, before it passed on.
	if _, err := c.decide(ctx, c.mustPlace(t, "crash", 90), decisionExpired, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AcceptOffer(ctx, "crash", 90, "k"); err != ErrOfferExpired {
		t.Fatalf("accepting a decided-expired offer: %v", err)
	}
	offers, err = c.Sweep(ctx, clock)
	if err != nil || len(offers) != 1 || offers[0].ChatID != 91 {
		t.Fatalf("sweep after the expiry crash: %+v %v; want the offer to 91", offers, err)
	}
	if err := c.MarkAnnounced(ctx, offers); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, c, "crash", Counts{Seats: 3, Enrolled: 2, Offered: 1, Waiting: 1})

	// 3. A crash after a cancel claimed the place's end and before it was
	// deleted: the place is not counted, and after StaleAfter it is
	// deleted and offered on.
	p := c.mustPlace(t, "crash", 2)
	if won, _, err := c.claim(ctx, "crash", claimDoc{ID: p.occ() + "#end", Value: "cancelled", At: c.stamp()}); err != nil || !won {
		t.Fatal(won, err)
	}
	wantCounts(t, c, "crash", Counts{Seats: 3, Enrolled: 1, Offered: 1, Waiting: 1})
	if offers, _ := c.Sweep(ctx, clock); len(offers) != 0 {
		t.Fatalf("sweep while the end may be in progress: %+v", offers)
	}
	clock = clock.Add(11 * time.Minute)
	offers, err = c.Sweep(ctx, clock)
	if err != nil || len(offers) != 1 || offers[0].ChatID != 92 {
		t.Fatalf("sweep after the cancel crash: %+v %v; want the offer to 92", offers, err)
	}
	wantCounts(t, c, "crash", Counts{Seats: 3, Enrolled: 1, Offered: 2})
}

// mustPlace returns the place held by chat in the course, with its claims.
func (c *Courses) mustPlace(t *testing.T, courseID string, chatID int64) place {
	t.Helper()
	s, err := c.load(context.Background(), courseID, bson.D{}, true)
	if err != nil {
		t.Fatal(err)
	}
	i := s.holderIndex(courseID, chatID)
	if i < 0 {
		t.Fatalf("%d holds no place in %s", chatID, courseID)
	}
	return s.places[i]
}
