package console

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/prils-lazio/presidio/internal/store"
)

// SessionsCollection holds console sessions when the console has a store,
// so that every process on one store knows them. _id is the SHA-256 of the
// session token: the token itself (the cookie) is never stored.
const SessionsCollection = "console_sessions"

type session struct {
	User     string    `bson:"user"`
	CSRF     string    `bson:"csrf"`
	LastSeen time.Time `bson:"last_seen"`
}

// sessionStore keeps sessions by token. get returns nil for an unknown or
// expired token, and records the request's time as the last activity.
type sessionStore interface {
	create(ctx context.Context, token string, s session, idle time.Duration) error
	get(ctx context.Context, token string, now time.Time, idle time.Duration) (*session, error)
	delete(ctx context.Context, token string)
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// touchEvery bounds the writes of a busy session: its last activity is
// stored at most once a minute.
const touchEvery = time.Minute

type storeSessions struct{ st *store.Store }

func (s storeSessions) coll() *mongo.Collection { return s.st.Collection(SessionsCollection) }

func (s storeSessions) create(ctx context.Context, token string, sess session, idle time.Duration) error {
	// Expired sessions go when a new one starts: the collection stays as
	// small as the staff's live sessions.
	_, _ = s.coll().DeleteMany(ctx, bson.D{{Key: "last_seen", Value: bson.D{{Key: "$lt", Value: sess.LastSeen.Add(-idle).UTC()}}}})
	doc := bson.D{{Key: "_id", Value: tokenHash(token)}, {Key: "user", Value: sess.User}, {Key: "csrf", Value: sess.CSRF}, {Key: "last_seen", Value: sess.LastSeen.UTC()}}
	if _, err := s.coll().InsertOne(ctx, doc); err != nil {
		return fmt.Errorf("console: saving a session: %w", err)
	}
	return nil
}

func (s storeSessions) get(ctx context.Context, token string, now time.Time, idle time.Duration) (*session, error) {
	var sess session
	err := s.coll().FindOne(ctx, bson.D{{Key: "_id", Value: tokenHash(token)}}).Decode(&sess)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("console: reading a session: %w", err)
	}
	if now.Sub(sess.LastSeen) > idle {
		s.delete(ctx, token)
		return nil, nil
	}
	if now.Sub(sess.LastSeen) > touchEvery {
		sess.LastSeen = now
		if _, err := s.coll().UpdateOne(ctx, bson.D{{Key: "_id", Value: tokenHash(token)}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "last_seen", Value: now.UTC()}}}}); err != nil {
			return nil, fmt.Errorf("console: touching a session: %w", err)
		}
	}
	return &sess, nil
}

func (s storeSessions) delete(ctx context.Context, token string) {
	_, _ = s.coll().DeleteOne(ctx, bson.D{{Key: "_id", Value: tokenHash(token)}})
}

// memSessions are the sessions of a console without a store.
type memSessions struct {
	mu   sync.Mutex
	byID map[string]*session
}

func (m *memSessions) create(_ context.Context, token string, s session, idle time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byID == nil {
		m.byID = map[string]*session{}
	}
	for id, old := range m.byID {
		if s.LastSeen.Sub(old.LastSeen) > idle {
			delete(m.byID, id)
		}
	}
	m.byID[tokenHash(token)] = &s
	return nil
}

func (m *memSessions) get(_ context.Context, token string, now time.Time, idle time.Duration) (*session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.byID[tokenHash(token)]
	if s == nil {
		return nil, nil
	}
	if now.Sub(s.LastSeen) > idle {
		delete(m.byID, tokenHash(token))
		return nil, nil
	}
	s.LastSeen = now
	cp := *s
	return &cp, nil
}

func (m *memSessions) delete(_ context.Context, token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.byID, tokenHash(token))
}
