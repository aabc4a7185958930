package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colReach holds one small document per private chat that may be sent
// announcements (news): the person consented and did not stop news. It is
// a projection of the sessions, kept by this package, so an announcement's
// audience never reads the sessions (32 collections, one document per
// person ever served, each with its whole conversation state):
//
//   - a course's learners are looked up here by _id, one each, so the cost
//     follows the learners, not the people stored;
//   - everyone reachable (optionally of one language, help point or topic)
//     is one read of this collection, whose size follows the people who
//     can be reached, not the people ever served.
//
// _id is the lane (the chat id in decimal). A document is written only
// when one of the fields it projects changes (SaveSessions compares with
// what it knows was stored), deleted with the session (DeleteSession, so
// /forget erases it) and marked by SetBlocked. Sessions written before this
// collection existed are projected once, at start (buildReach).
const colReach = "news_reach"

// Reachable is a person who may be sent announcements now.
type Reachable struct {
	ChatID int64 `bson:"chat_id"`
	// Lang is the person's language ("" when not known yet).
	Lang string `bson:"lang,omitempty"`
	// Site is the help point the person came from (a site_ link), if any.
	Site string `bson:"site,omitempty"`
	// Topic is the person's last orientation topic, if any.
	Topic string `bson:"topic,omitempty"`
}

// ReachFilter narrows EachReachable; an empty field matches everyone.
type ReachFilter struct {
	Lang, Site, Topic string
}

// reachDoc is a document of colReach. Blocked is written only by
// SetBlocked (the sender), the rest only by the lane, so neither
// overwrites the other.
type reachDoc struct {
	Lane      string `bson:"_id"`
	Reachable `bson:",inline"`
	Blocked   bool `bson:"blocked,omitempty"`
}

// reachFields is what a session says about being reachable: the zero value
// when it is not (no consent, news stopped, not a private chat).
type reachFields struct {
	ok                bool
	lang, site, topic string
}

// reachOf reads a session's reachability. The flow state's fields it reads
// are flows.State's "consent", "news", "site" and "vars.topic": the one
// place outside the flows package that knows them.
func reachOf(sess *Session) reachFields {
	if sess.ChatID <= 0 || sess.Lane != strconv.FormatInt(sess.ChatID, 10) || len(sess.State) == 0 {
		return reachFields{}
	}
	str := func(path ...string) string {
		v, err := sess.State.LookupErr(path...)
		if err != nil {
			return ""
		}
		s, _ := v.StringValueOK()
		return s
	}
	if str("consent") != "yes" || str("news") == "off" {
		return reachFields{}
	}
	return reachFields{ok: true, lang: sess.Lang, site: str("site"), topic: str("vars", "topic")}
}

// reachModels returns the writes that bring colReach in line with the
// sessions, and the function that records them as stored once written.
// Sessions whose projected fields did not change need no write.
func reachModels(list []*Session) ([]mongo.WriteModel, func()) {
	var models []mongo.WriteModel
	var changed []*Session
	var now []reachFields
	for _, sess := range list {
		r := reachOf(sess)
		if r == sess.reach {
			continue
		}
		filter := bson.D{{Key: "_id", Value: sess.Lane}}
		if r.ok {
			models = append(models, mongo.NewUpdateOneModel().SetFilter(filter).SetUpsert(true).
				SetUpdate(bson.D{{Key: "$set", Value: bson.D{
					{Key: "chat_id", Value: sess.ChatID}, {Key: "lang", Value: r.lang},
					{Key: "site", Value: r.site}, {Key: "topic", Value: r.topic},
				}}}))
		} else {
			models = append(models, mongo.NewDeleteOneModel().SetFilter(filter))
		}
		changed, now = append(changed, sess), append(now, r)
	}
	return models, func() {
		for i, sess := range changed {
			sess.reach = now[i]
		}
	}
}

// saveReach writes what changed in the sessions' projection (see colReach):
// nothing, and no round trip, when nothing did.
func (s *Store) saveReach(ctx context.Context, list []*Session) error {
	models, stored := reachModels(list)
	if len(models) == 0 {
		return nil
	}
	if _, err := s.db.Collection(colReach).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
		return fmt.Errorf("store: saving who may be sent news: %w", err)
	}
	stored()
	return nil
}

// deleteReach removes a lane's projection (with its session).
func (s *Store) deleteReach(ctx context.Context, lane string) error {
	if _, err := s.db.Collection(colReach).DeleteOne(ctx, bson.D{{Key: "_id", Value: lane}}); err != nil {
		return fmt.Errorf("store: forgetting who may be sent news: %w", err)
	}
	return nil
}

// setReachBlocked marks a person's projection blocked or not; a person who
// may not be sent news has none, and gets none.
func (s *Store) setReachBlocked(ctx context.Context, lane string, blocked bool) error {
	_, err := s.db.Collection(colReach).UpdateOne(ctx, bson.D{{Key: "_id", Value: lane}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "blocked", Value: blocked}}}})
	if err != nil {
		return fmt.Errorf("store: marking who may be sent news: %w", err)
	}
	return nil
}

// reachLookups is how many lookups by _id ReachableAmong runs at once.
const reachLookups = 4

// ReachableAmong returns those of the given private chats who may be sent
// announcements now — they consented, did not stop news and did not block
// the bot — by chat id. Each chat is one lookup by _id: the cost follows
// len(chatIDs), never the number of people stored.
func (s *Store) ReachableAmong(ctx context.Context, chatIDs []int64) (map[int64]Reachable, error) {
	out := map[int64]Reachable{}
	var mu sync.Mutex
	var firstErr error
	ids := make(chan int64)
	var wg sync.WaitGroup
	coll := s.db.Collection(colReach)
	for range min(reachLookups, len(chatIDs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				var d reachDoc
				err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: strconv.FormatInt(id, 10)}}).Decode(&d)
				mu.Lock()
				switch {
				case errors.Is(err, mongo.ErrNoDocuments):
				case err != nil:
					if firstErr == nil {
						firstErr = fmt.Errorf("store: reading who may be sent news: %w", err)
					}
				case !d.Blocked && d.ChatID == id:
					out[id] = d.Reachable
				}
				mu.Unlock()
			}
		}()
	}
	for _, id := range chatIDs {
		if id <= 0 {
			continue
		}
		ids <- id
	}
	close(ids)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// EachReachable returns everyone who may be sent announcements now and
// matches f, and how many more would match but blocked the bot. It reads
// only the projection of the people who consented to news (on MongoDB
// through its indexes), never the sessions: people who did not consent or
// stopped news are not counted at all.
func (s *Store) EachReachable(ctx context.Context, f ReachFilter) (list []Reachable, blocked int, err error) {
	filter := bson.D{}
	for _, c := range []struct{ key, value string }{{"lang", f.Lang}, {"site", f.Site}, {"topic", f.Topic}} {
		if c.value != "" {
			filter = append(filter, bson.E{Key: c.key, Value: c.value})
		}
	}
	cur, err := s.db.Collection(colReach).Find(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("store: reading who may be sent news: %w", err)
	}
	var docs []reachDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, fmt.Errorf("store: reading who may be sent news: %w", err)
	}
	for _, d := range docs {
		if d.Blocked {
			blocked++
			continue
		}
		list = append(list, d.Reachable)
	}
	return list, blocked, nil
}
