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

	"github.com/prils-lazio/presidio/internal/store"
)

// Direction says who wrote a message of a case and who sees it.
type Direction string

// The directions of a message.
const (
	// DirIn: from the person to the operators.
	DirIn Direction = "in"
	// DirOut: from an operator to the person.
	DirOut Direction = "out"
	// DirNote: an operators' internal note; the person never sees it.
	DirNote Direction = "note"
	// DirSystem: written by Presidio (taken, referred, closed...).
	DirSystem Direction = "system"
)

// Valid reports whether d is one of the Direction constants.
func (d Direction) Valid() bool {
	return d == DirIn || d == DirOut || d == DirNote || d == DirSystem
}

// MaxMessageIDLength bounds Message.ID.
const MaxMessageIDLength = 128

// Message is one message of a case's conversation, stored in the
// append-only "case_messages" collection under its ID.
type Message struct {
	// ID is chosen by the caller and unique among all messages, derived
	// from what caused the message (e.g. "u<update_id>"), so a replay
	// after a crash finds it there and does not add it twice.
	ID   string `bson:"_id" json:"id"`
	Case string `bson:"case_id" json:"case"`
	// Direction is one of the Direction constants.
	Direction Direction `bson:"direction" json:"direction"`
	Text      string    `bson:"text,omitempty" json:"text,omitempty"`
	// Translation is the language bridge's machine translation of Text:
	// into Italian for the person's messages (in), into the person's
	// language for an operator's (out). Empty when the bridge was off or
	// failed; TranslationFailed says it failed.
	Translation       string `bson:"translation,omitempty" json:"translation,omitempty"`
	TranslationFailed bool   `bson:"translation_failed,omitempty" json:"translation_failed,omitempty"`
	// MediaType is "photo", "document", "voice"... when FileID is set.
	MediaType string `bson:"media_type,omitempty" json:"media_type,omitempty"`
	// FileID is Telegram's file_id of the media.
	FileID string `bson:"file_id,omitempty" json:"file_id,omitempty"`
	// PersonMessageID is the message's id in the person's private chat.
	PersonMessageID int `bson:"person_message_id,omitempty" json:"person_message_id,omitempty"`
	// TopicMessageID is the message's id in the operators' group (in the
	// case's topic).
	TopicMessageID int `bson:"topic_message_id,omitempty" json:"topic_message_id,omitempty"`
	// OperatorID and OperatorName say which operator wrote an out or note
	// message.
	OperatorID   string `bson:"operator_id,omitempty" json:"operator_id,omitempty"`
	OperatorName string `bson:"operator_name,omitempty" json:"operator_name,omitempty"`
	// At is when it was written (set to now when zero).
	At time.Time `bson:"at" json:"at"`
	// Seq orders the messages of a case: the order they were added.
	Seq int64 `bson:"seq" json:"-"`
}

// Validate returns nil when m can be stored, else a *ValidationError.
func (m Message) Validate() error {
	var p problems
	if m.ID == "" || len(m.ID) > MaxMessageIDLength {
		p.add("id must have 1 to %d bytes", MaxMessageIDLength)
	}
	if _, ok := ParseID(m.Case); !ok {
		p.add("case %q is not a case id like C-000123", m.Case)
	}
	if !m.Direction.Valid() {
		p.add("direction %q is unknown (valid: in, out, note, system)", m.Direction)
	}
	if m.Text == "" && m.FileID == "" {
		p.add("a message needs a text or a file")
	}
	checkText(&p, "text", m.Text, MaxTextLength)
	checkText(&p, "translation", m.Translation, 2*MaxTextLength)
	checkText(&p, "operator name", m.OperatorName, MaxNameLength)
	if m.PersonMessageID < 0 || m.TopicMessageID < 0 {
		p.add("message ids must not be negative")
	}
	return p.err(fmt.Sprintf("message %q", m.ID))
}

// AddMessage appends a message to its case. added is false when a message
// with this ID is there already (a replay): it is left as it was.
//
// Closed cases accept messages (a note after closing, a late reply); the
// case document is not changed. A message for an unknown case
// (store.ErrNotFound) or an erased one
// (ErrErased) is refused. That check follows the insert, so a message that
// races a Forget is removed again by one side or the other: it never
// outlives the erasure.
func (s *Cases) AddMessage(ctx context.Context, m Message) (added bool, err error) {
	if err := m.Validate(); err != nil {
		return false, err
	}
	if m.At.IsZero() {
		m.At = s.clock()
	}
	m.At = m.At.UTC().Truncate(time.Millisecond)
	m.Seq = store.NextSeq()
	_, err = s.messages.InsertOne(ctx, m)
	if store.IsDuplicate(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cases: adding message %s: %w", m.ID, err)
	}
	return true, s.checkCaseAfterInsert(ctx, s.messages, m.ID, m.Case)
}

// checkCaseAfterInsert removes the document just inserted under id when
// its case is unknown or erased. Forget marks a case erased before it
// deletes the case's messages: an insert either happened before that
// delete (and is deleted by it) or sees the mark here.
func (s *Cases) checkCaseAfterInsert(ctx context.Context, coll *mongo.Collection, id, caseID string) error {
	c, err := s.Get(ctx, caseID)
	refused := err
	if err == nil && c.IsErased() {
		refused = fmt.Errorf("cases: case %s: %w", caseID, ErrErased)
	}
	if !errors.Is(refused, store.ErrNotFound) && !errors.Is(refused, ErrErased) {
		return err
	}
	if _, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return errors.Join(refused, fmt.Errorf("cases: removing refused %s %s: %w", coll.Name(), id, err))
	}
	return refused
}

// Delivery records the id Telegram gave the copy of a message once it was
// sent: the topic message id of a person's message relayed to the
// operators, or the person's message id of an operator's reply. Deliveries
// are append-only ("case_deliveries", _id "<message id>#d").
type Delivery struct {
	// Message is the Message.ID of the message copied.
	Message string `bson:"message_id" json:"message"`
	Case    string `bson:"case_id" json:"case"`
	// PersonMessageID or TopicMessageID (or both) is the copy's id.
	PersonMessageID int       `bson:"person_message_id,omitempty" json:"person_message_id,omitempty"`
	TopicMessageID  int       `bson:"topic_message_id,omitempty" json:"topic_message_id,omitempty"`
	At              time.Time `bson:"at" json:"at"`
}

type deliveryDoc struct {
	ID       string `bson:"_id"`
	Delivery `bson:",inline"`
}

// RecordDelivery stores where a message's copy went. added is false when
// the message's delivery was recorded before (the first one is kept). Like
// AddMessage, it refuses unknown and erased cases.
func (s *Cases) RecordDelivery(ctx context.Context, d Delivery) (added bool, err error) {
	if _, ok := ParseID(d.Case); !ok || d.Message == "" || len(d.Message) > MaxMessageIDLength ||
		d.PersonMessageID < 0 || d.TopicMessageID < 0 || d.PersonMessageID == 0 && d.TopicMessageID == 0 {
		return false, fmt.Errorf("cases: delivery %+v: needs a case, a message id and a copy's id", d)
	}
	if d.At.IsZero() {
		d.At = s.clock()
	}
	d.At = d.At.UTC().Truncate(time.Millisecond)
	doc := deliveryDoc{ID: d.Message + "#d", Delivery: d}
	_, err = s.deliveries.InsertOne(ctx, doc)
	if store.IsDuplicate(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cases: recording delivery of %s: %w", d.Message, err)
	}
	return true, s.checkCaseAfterInsert(ctx, s.deliveries, doc.ID, d.Case)
}

// Messages returns the case's messages in the order they were added, with
// the ids of their delivered copies filled in.
//
// On the embedded store both are found through the store's indexes of
// case_id (store.IDsWhere) and read by _id, so the cost follows the case's
// messages, not every message kept.
func (s *Cases) Messages(ctx context.Context, caseID string) ([]Message, error) {
	out, err := findByField[Message](ctx, s, s.messages, "case_id", caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: reading messages of %s: %w", caseID, err)
	}
	slices.SortStableFunc(out, func(a, b Message) int { return cmp.Compare(a.Seq, b.Seq) })
	ds, err := findByField[deliveryDoc](ctx, s, s.deliveries, "case_id", caseID)
	if err != nil {
		return nil, err
	}
	byMessage := make(map[string]Delivery, len(ds))
	for _, d := range ds {
		byMessage[d.Message] = d.Delivery
	}
	for i := range out {
		if d, ok := byMessage[out[i].ID]; ok {
			out[i] = withDelivery(out[i], d)
		}
	}
	return out, nil
}

func withDelivery(m Message, d Delivery) Message {
	if m.PersonMessageID == 0 {
		m.PersonMessageID = d.PersonMessageID
	}
	if m.TopicMessageID == 0 {
		m.TopicMessageID = d.TopicMessageID
	}
	return m
}

// FindByTopicMessage returns the message that is, or was copied to,
// message topicMessageID of the operators' topic threadID (with its
// delivered ids filled in): how the bot maps a reply in a topic back to
// the message and its case. ok is false when there is none.
func (s *Cases) FindByTopicMessage(ctx context.Context, threadID, topicMessageID int) (m Message, ok bool, err error) {
	if threadID <= 0 || topicMessageID <= 0 {
		return Message{}, false, nil
	}
	candidates, err := findByField[Message](ctx, s, s.messages, "topic_message_id", topicMessageID)
	if err != nil {
		return Message{}, false, fmt.Errorf("cases: finding topic message %d: %w", topicMessageID, err)
	}
	ds, err := findByField[deliveryDoc](ctx, s, s.deliveries, "topic_message_id", topicMessageID)
	if err != nil {
		return Message{}, false, fmt.Errorf("cases: finding topic message %d: %w", topicMessageID, err)
	}
	for _, d := range ds {
		var msg Message
		err := s.messages.FindOne(ctx, bson.D{{Key: "_id", Value: d.Message}}).Decode(&msg)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return Message{}, false, fmt.Errorf("cases: reading message %s: %w", d.Message, err)
		}
		candidates = append(candidates, withDelivery(msg, d.Delivery))
	}
	// Message ids are unique within the group; the thread check only
	// guards against a topic message id stored for another chat.
	for _, msg := range candidates {
		c, err := s.Get(ctx, msg.Case)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return Message{}, false, err
		}
		if c.ThreadID != threadID {
			continue
		}
		var d deliveryDoc
		err = s.deliveries.FindOne(ctx, bson.D{{Key: "_id", Value: msg.ID + "#d"}}).Decode(&d)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return Message{}, false, fmt.Errorf("cases: reading delivery of %s: %w", msg.ID, err)
		}
		return withDelivery(msg, d.Delivery), true, nil
	}
	return Message{}, false, nil
}
