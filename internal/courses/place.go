package courses

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/prils-lazio/presidio/internal/store"
)

// Kinds of document in a course's places collection.
const (
	// kindEnrolled: a person enrolled directly (Enrol).
	kindEnrolled = "enrolled"
	// kindOffered: held for a person from the waiting list until Expires;
	// enrolled once a "decided" claim says accepted.
	kindOffered = "offered"
	// kindWaiting: a waiting-list entry, not a place.
	kindWaiting = "waiting"
)

// Decisions about an offered place, in its "decided" claim.
const (
	decisionAccepted = "accepted"
	decisionExpired  = "expired"
	decisionDeclined = "declined"
)

// placeDoc is one occupancy of a seat number, or (kind waiting) one entry
// of the waiting list. It is inserted whole and never updated; a place is
// deleted by the single winner of its "end" claim when given up.
type placeDoc struct {
	// ID is "<course>#<n>" for a place, unique, so a seat number has one
	// holder; "<course>#wait#<chatID>" for a waiting-list entry.
	ID     string `bson:"_id"`
	Course string `bson:"course"`
	// N is the seat number, 1..Seats (0 on a waiting-list entry).
	N int `bson:"n"`
	// Token tells this occupancy of seat N from earlier and later ones.
	Token string `bson:"token,omitempty"`
	// Holder is unique in the collection: "<course>#<chatID>" on a place
	// (one place per person per course), the _id on a waiting-list entry.
	Holder string    `bson:"holder"`
	Kind   string    `bson:"kind"`
	ChatID int64     `bson:"chat_id"`
	Name   string    `bson:"name,omitempty"`
	Phone  string    `bson:"phone,omitempty"`
	Lang   string    `bson:"lang,omitempty"`
	Key    string    `bson:"key,omitempty"`
	At     time.Time `bson:"at"`
	// Expires and WaitSeq are set on offered places: the deadline, and the
	// waiting-list entry the offer came from.
	Expires time.Time `bson:"expires,omitempty"`
	WaitSeq int64     `bson:"wait_seq,omitempty"`
	// Seq orders the waiting list (store.NextSeq when joining).
	Seq int64 `bson:"seq,omitempty"`
}

// occ names this occupancy; claims about it are named after it.
func (p placeDoc) occ() string { return p.ID + "@" + p.Token }

func placeID(course string, n int) string { return course + "#" + strconv.Itoa(n) }

func holderOf(course string, chatID int64) string {
	return course + "#" + strconv.FormatInt(chatID, 10)
}

func waitID(course string, chatID int64) string {
	return course + "#wait#" + strconv.FormatInt(chatID, 10)
}

// claimDoc is a decision about a place, inserted once: whoever inserts it
// first decides, everyone else reads what was decided.
type claimDoc struct {
	// ID is "<occupancy>#decided", "#end", "#end#<k>" (the k-th takeover
	// of an end left half-done), "#announced" or "#reminded".
	ID    string    `bson:"_id"`
	Value string    `bson:"value,omitempty"`
	Key   string    `bson:"key,omitempty"`
	At    time.Time `bson:"at"`
}

// place is a placeDoc with what the claims say about it.
type place struct {
	placeDoc
	decision  claimDoc // zero when undecided
	end       claimDoc // zero while the place is not being given up
	announced bool
}

func (p place) ended() bool { return p.end.ID != "" }

// enrolled: a person holds the place for good.
func (p place) enrolled() bool {
	return !p.ended() && (p.Kind == kindEnrolled || p.Kind == kindOffered && p.decision.Value == decisionAccepted)
}

// pendingOffer: offered and not yet accepted, expired or declined.
func (p place) pendingOffer() bool {
	return !p.ended() && p.Kind == kindOffered && p.decision.ID == ""
}

// enrolment describes an enrolled place.
func (p place) enrolment() Enrolment {
	e := Enrolment{
		ID: p.occ(), Course: p.Course, ChatID: p.ChatID, Seat: p.N,
		Name: p.Name, Phone: p.Phone, Language: p.Lang, Key: p.Key, At: p.At.UTC(),
	}
	if p.Kind == kindOffered {
		e.Key, e.At = p.decision.Key, p.decision.At.UTC()
	}
	return e
}

// offer describes an offered place.
func (p place) offer() Offer {
	return Offer{ID: p.occ(), Course: p.Course, ChatID: p.ChatID, Language: p.Lang, Seat: p.N, Expires: p.Expires.UTC()}
}

// state is what one read of a course's places collection found.
type state struct {
	// places sorted by seat number.
	places []place
	// waits are the waiting-list entries in list order.
	waits []placeDoc
}

// load reads the course's places and waiting list matching filter (all:
// bson.D{}), with the places' claims when withClaims is set.
func (c *Courses) load(ctx context.Context, courseID string, filter bson.D, withClaims bool) (state, error) {
	coll, err := c.placesOf(ctx, courseID)
	if err != nil {
		return state{}, err
	}
	cur, err := coll.Find(ctx, filter)
	if err != nil {
		return state{}, fmt.Errorf("courses: reading the places of %s: %w", courseID, err)
	}
	var docs []placeDoc
	if err := cur.All(ctx, &docs); err != nil {
		return state{}, fmt.Errorf("courses: reading the places of %s: %w", courseID, err)
	}
	var s state
	for _, d := range docs {
		if d.Kind == kindWaiting {
			s.waits = append(s.waits, d)
		} else {
			s.places = append(s.places, place{placeDoc: d})
		}
	}
	slices.SortFunc(s.places, func(a, b place) int { return cmp.Compare(a.N, b.N) })
	slices.SortFunc(s.waits, func(a, b placeDoc) int { return cmp.Or(cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ChatID, b.ChatID)) })
	if withClaims {
		if err := c.addClaims(ctx, courseID, s.places); err != nil {
			return state{}, err
		}
	}
	return s, nil
}

// holderIndex returns the index of the place held by the person, or -1.
func (s state) holderIndex(courseID string, chatID int64) int {
	h := holderOf(courseID, chatID)
	return slices.IndexFunc(s.places, func(p place) bool { return p.Holder == h })
}

// addClaims reads the decided, end and announced claims of places.
func (c *Courses) addClaims(ctx context.Context, courseID string, ps []place) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]string, 0, 3*len(ps))
	for _, p := range ps {
		ids = append(ids, p.occ()+"#decided", p.occ()+"#end", p.occ()+"#announced")
	}
	cur, err := c.claimsOf(courseID).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return fmt.Errorf("courses: reading the claims of %s: %w", courseID, err)
	}
	var docs []claimDoc
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("courses: reading the claims of %s: %w", courseID, err)
	}
	byID := make(map[string]claimDoc, len(docs))
	for _, d := range docs {
		byID[d.ID] = d
	}
	for i := range ps {
		o := ps[i].occ()
		ps[i].decision = byID[o+"#decided"]
		ps[i].end = byID[o+"#end"]
		_, ps[i].announced = byID[o+"#announced"]
	}
	return nil
}

// claim inserts a claim about one of the course's places. won reports
// whether this call inserted it; when not, existing is the claim that was
// there.
func (c *Courses) claim(ctx context.Context, courseID string, doc claimDoc) (won bool, existing claimDoc, err error) {
	coll := c.claimsOf(courseID)
	_, err = coll.InsertOne(ctx, doc)
	if err == nil {
		return true, doc, nil
	}
	if !store.IsDuplicate(err) {
		return false, claimDoc{}, fmt.Errorf("courses: claiming %s: %w", doc.ID, err)
	}
	err = coll.FindOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}).Decode(&existing)
	if err != nil {
		// Claims are never deleted, so this is a store error.
		if errors.Is(err, mongo.ErrNoDocuments) {
			err = store.ErrNotFound
		}
		return false, claimDoc{}, fmt.Errorf("courses: reading claim %s: %w", doc.ID, err)
	}
	return false, existing, nil
}

// decide claims the decision about an offered place; it returns the
// decision in force (value, or the one made before).
func (c *Courses) decide(ctx context.Context, p place, value, key string) (claimDoc, error) {
	_, d, err := c.claim(ctx, p.Course, claimDoc{ID: p.occ() + "#decided", Value: value, Key: key, At: c.stamp()})
	return d, err
}

// endPlace gives a place up: the winner of its "end" claim deletes it. A
// place is therefore deleted by one caller only, so a seat number freed
// and taken again cannot lose its new holder to a second, late delete
// (FerretDB deletes by _id after a separate read). An end claimed longer
// than StaleAfter ago whose place is still there was abandoned by a crash:
// the next caller takes it over with a numbered takeover claim.
func (c *Courses) endPlace(ctx context.Context, p place, reason string) error {
	coll, err := c.placesOf(ctx, p.Course)
	if err != nil {
		return err
	}
	id := p.occ() + "#end"
	for k := 1; k <= 8; k++ {
		won, existing, err := c.claim(ctx, p.Course, claimDoc{ID: id, Value: reason, At: c.stamp()})
		if err != nil {
			return err
		}
		if won {
			_, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: p.ID}, {Key: "token", Value: p.Token}})
			if err != nil {
				return fmt.Errorf("courses: deleting place %s: %w", p.ID, err)
			}
			return nil
		}
		if c.now().Sub(existing.At) < c.cfg.StaleAfter {
			return nil // somebody is deleting it right now
		}
		id = p.occ() + "#end#" + strconv.Itoa(k)
	}
	return fmt.Errorf("courses: place %s could not be deleted after 8 takeovers", p.ID)
}

// freeNumbers returns the seat numbers 1..seats that no place holds.
func freeNumbers(ps []place, seats int) []int {
	taken := make(map[int]bool, len(ps))
	for _, p := range ps {
		taken[p.N] = true
	}
	var free []int
	for n := 1; n <= seats; n++ {
		if !taken[n] {
			free = append(free, n)
		}
	}
	return free
}

// insert adds a place or waiting-list entry; taken reports a duplicate
// (the seat number, the holder or the entry is taken).
func (c *Courses) insert(ctx context.Context, d placeDoc) (taken bool, err error) {
	coll, err := c.placesOf(ctx, d.Course)
	if err != nil {
		return false, err
	}
	_, err = coll.InsertOne(ctx, d)
	if err == nil {
		return false, nil
	}
	if store.IsDuplicate(err) {
		return true, nil
	}
	return false, fmt.Errorf("courses: inserting %s: %w", d.ID, err)
}

// deleteWait deletes the person's waiting-list entry; when seq is not
// zero, only the entry with that Seq (not one made after rejoining).
func (c *Courses) deleteWait(ctx context.Context, courseID string, chatID, seq int64) error {
	coll, err := c.placesOf(ctx, courseID)
	if err != nil {
		return err
	}
	filter := bson.D{{Key: "_id", Value: waitID(courseID, chatID)}}
	if seq != 0 {
		filter = append(filter, bson.E{Key: "seq", Value: seq})
	}
	if _, err := coll.DeleteOne(ctx, filter); err != nil {
		return fmt.Errorf("courses: removing %d from the waiting list of %s: %w", chatID, courseID, err)
	}
	return nil
}
