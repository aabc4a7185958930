package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Sessions are spread over sessionShards collections by lane: on the
// embedded FerretDB a lookup or update by _id reads the whole collection
// (its _id index is not used), so smaller collections keep the per-update
// cost flat as the number of people grows. On MongoDB it changes nothing.
const sessionShards = 32

func (s *Store) sessions(lane string) *mongo.Collection {
	h := fnv.New32a()
	h.Write([]byte(lane))
	return s.db.Collection(fmt.Sprintf("sessions_%02d", h.Sum32()%sessionShards))
}

// Session is the conversation state of one lane (a private chat, or a forum
// topic of the operators' group). Only the lane that owns it writes it, so
// the lane may keep it in memory between updates.
type Session struct {
	Lane   string `bson:"_id"`
	ChatID int64  `bson:"chat_id"`
	// Lang is the person's chosen or matched language ("" until known).
	Lang string `bson:"lang,omitempty"`
	// Applied lists the fingerprints (store.Fingerprint) of the latest
	// updates whose effects are persisted (at most AppliedMemory, oldest
	// first): a crash followed by a redelivery of one of them does not apply
	// it again. Fingerprints rather than update ids, because ids may repeat
	// (they restart lower after a week of silence) and webhook deliveries
	// may come out of order.
	Applied []int64 `bson:"applied,omitempty"`
	// State belongs to the flow engine.
	State bson.Raw `bson:"state,omitempty"`
	// Blocked is set when Telegram says the person blocked the bot.
	Blocked   bool      `bson:"blocked,omitempty"`
	UpdatedAt time.Time `bson:"updated_at"`
	// Erase, set by a handler, deletes the session instead of saving it
	// (the person asked to forget their data).
	Erase bool `bson:"-"`

	// reach is what news_reach holds for this session as far as this copy
	// knows (reach.go): a save writes news_reach only when it changed. A
	// Session not read by LoadSession counts as never saved.
	reach reachFields
}

// DeleteSession removes a lane's session document (and what news_reach
// holds of it).
func (s *Store) DeleteSession(ctx context.Context, lane string) error {
	if err := s.deleteReach(ctx, lane); err != nil {
		return err
	}
	if _, err := s.sessions(lane).DeleteOne(ctx, bson.D{{Key: "_id", Value: lane}}); err != nil {
		return fmt.Errorf("store: deleting session %s: %w", lane, err)
	}
	return nil
}

// ForgetChat deletes what the runtime keeps of a private chat besides its
// session: its pending and set-aside updates, the messages sent to it, the
// messages its updates caused elsewhere (a case card in the operators'
// group) and copies of its messages (outbox). Outcomes hold no content.
func (s *Store) ForgetChat(ctx context.Context, chatID int64) error {
	if w := s.direct(); w != nil {
		// The embedded store: through the store's indexes (forget_direct.go).
		err := s.forgetChatDirect(ctx, w, chatID)
		if !fallBack(err) {
			if err != nil {
				return fmt.Errorf("store: forgetting a chat: %w", err)
			}
			return nil
		}
	}
	lane := fmt.Sprint(chatID)
	or := bson.A{
		bson.D{{Key: "msg.chat_id", Value: chatID}},
		bson.D{{Key: "msg.copy_of.chat_id", Value: chatID}},
		bson.D{{Key: "cause", Value: lane}},
	}
	for _, c := range []string{colOutbox, colOutboxPending} {
		if _, err := s.db.Collection(c).DeleteMany(ctx, bson.D{{Key: "$or", Value: or}}); err != nil {
			return fmt.Errorf("store: forgetting the outbox of a chat: %w", err)
		}
	}
	for _, c := range []string{colInbox, colSetAside} {
		if _, err := s.db.Collection(c).DeleteMany(ctx, bson.D{{Key: "lane", Value: lane}}); err != nil {
			return fmt.Errorf("store: forgetting the updates of a chat: %w", err)
		}
	}
	return nil
}

// LoadSession returns the lane's session, or a new empty one.
func (s *Store) LoadSession(ctx context.Context, lane string, chatID int64) (*Session, error) {
	var sess Session
	err := s.sessions(lane).FindOne(ctx, bson.D{{Key: "_id", Value: lane}}).Decode(&sess)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return &Session{Lane: lane, ChatID: chatID}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: loading session %s: %w", lane, err)
	}
	sess.reach = reachOf(&sess)
	return &sess, nil
}

// SaveSession writes the fields the lane owns. Blocked is written apart
// (SetBlocked), by the sender, so the two never overwrite each other.
func (s *Store) SaveSession(ctx context.Context, sess *Session) error {
	return s.SaveSessions(ctx, []*Session{sess})
}

// SaveSessions saves many lanes' sessions in one round trip, like
// SaveSession each.
func (s *Store) SaveSessions(ctx context.Context, list []*Session) error {
	if len(list) == 0 {
		return nil
	}
	if err := s.saveReach(ctx, list); err != nil {
		return err
	}
	if w := s.direct(); w != nil {
		stampSessions(list)
		err := s.saveSessionsDirect(ctx, w, list)
		if !fallBack(err) {
			if err != nil {
				return fmt.Errorf("store: saving %d sessions: %w", len(list), err)
			}
			return nil
		}
	}
	byShard := map[*mongo.Collection][]mongo.WriteModel{}
	shards := map[string]*mongo.Collection{}
	now := time.Now().UTC()
	for _, sess := range list {
		sess.UpdatedAt = now
		c := s.sessions(sess.Lane)
		if prev, ok := shards[c.Name()]; ok {
			c = prev
		}
		shards[c.Name()] = c
		byShard[c] = append(byShard[c], mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: sess.Lane}}).
			SetUpdate(bson.D{{Key: "$set", Value: sessionFields(sess)}}).
			SetUpsert(true))
	}
	for c, models := range byShard {
		if _, err := c.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
			return fmt.Errorf("store: saving %d sessions: %w", len(models), err)
		}
	}
	return nil
}

// stampSessions dates sessions about to be saved.
func stampSessions(list []*Session) {
	now := time.Now().UTC()
	for _, sess := range list {
		sess.UpdatedAt = now
	}
}

func sessionFields(sess *Session) bson.D {
	return bson.D{
		{Key: "chat_id", Value: sess.ChatID},
		{Key: "lang", Value: sess.Lang},
		{Key: "applied", Value: sess.Applied},
		{Key: "state", Value: stateValue(sess.State)},
		{Key: "updated_at", Value: sess.UpdatedAt},
	}
}

// SetBlocked records whether the person in a private chat blocked the bot.
func (s *Store) SetBlocked(ctx context.Context, lane string, chatID int64, blocked bool) error {
	_, err := s.sessions(lane).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: lane}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "blocked", Value: blocked}}},
			{Key: "$setOnInsert", Value: bson.D{{Key: "chat_id", Value: chatID}}},
		},
		options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("store: marking %s blocked=%v: %w", lane, blocked, err)
	}
	return s.setReachBlocked(ctx, lane, blocked)
}

// AppliedMemory is how many applied updates a session remembers. Telegram
// redelivers only updates that were not confirmed, right after a restart,
// so a chat is never more than a few updates past a redelivered one.
const AppliedMemory = 32

// WasApplied reports whether the update with this fingerprint has its
// effects persisted already.
func (s *Session) WasApplied(fingerprint int64) bool {
	for _, fp := range s.Applied {
		if fp == fingerprint {
			return true
		}
	}
	return false
}

// MarkApplied remembers that the update's effects are persisted.
func (s *Session) MarkApplied(fingerprint int64) {
	s.Applied = append(s.Applied, fingerprint)
	if len(s.Applied) > AppliedMemory {
		s.Applied = append(s.Applied[:0:0], s.Applied[len(s.Applied)-AppliedMemory:]...)
	}
}

// stateValue stores an empty state as null (an empty bson.Raw is not a
// document).
func stateValue(r bson.Raw) any {
	if len(r) == 0 {
		return nil
	}
	return r
}

// StoredPeople estimates how many lanes have a session (people, and case
// topics): the size the embedded store is measured against. It reads the
// collections' counts, not their documents.
func (s *Store) StoredPeople(ctx context.Context) (int64, error) {
	var total int64
	for i := range sessionShards {
		n, err := s.db.Collection(fmt.Sprintf("sessions_%02d", i)).EstimatedDocumentCount(ctx)
		if err != nil {
			return 0, fmt.Errorf("store: counting sessions: %w", err)
		}
		total += n
	}
	return total, nil
}
