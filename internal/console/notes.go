package console

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// NotesCollection holds partners' referral notes to the help points.
const NotesCollection = "console_notes"

// Note is a referral note a partner sends to a help point ("I am sending
// you Ms X for her permit renewal").
type Note struct {
	ID        string    `bson:"_id"`
	At        time.Time `bson:"at"`
	From      string    `bson:"from"`
	HelpPoint string    `bson:"help_point"`
	Text      string    `bson:"text"`
}

// NoteStore keeps referral notes.
type NoteStore interface {
	Add(ctx context.Context, n Note) error
	// Recent returns up to limit notes, newest first.
	Recent(ctx context.Context, limit int) ([]Note, error)
}

// StoreNotes keeps notes in the "console_notes" collection.
type StoreNotes struct{ coll *mongo.Collection }

// NewStoreNotes returns the notes kept in st.
func NewStoreNotes(st *store.Store) *StoreNotes {
	return &StoreNotes{coll: st.Collection(NotesCollection)}
}

// Add stores n (ID and At are filled when empty).
func (s *StoreNotes) Add(ctx context.Context, n Note) error {
	if n.ID == "" {
		n.ID = randomToken(12)
	}
	if n.At.IsZero() {
		n.At = time.Now()
	}
	n.At = n.At.UTC().Truncate(time.Millisecond)
	if _, err := s.coll.InsertOne(ctx, n); err != nil {
		return fmt.Errorf("console: storing the note: %w", err)
	}
	return nil
}

// Recent returns up to limit notes, newest first.
func (s *StoreNotes) Recent(ctx context.Context, limit int) ([]Note, error) {
	cur, err := s.coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "at", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("console: reading notes: %w", err)
	}
	var out []Note
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("console: reading notes: %w", err)
	}
	return out, nil
}
