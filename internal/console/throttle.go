package console

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
)

// LoginClaimsCollection holds the login throttle's claims when the console
// has a store: one document per (key, window, attempt number).
const LoginClaimsCollection = "console_login_claims"

// throttle limits login attempts per key (an account, an address) in fixed
// windows. An attempt first claims one of the window's slots; only a claim
// that succeeded may check a password, so attempts posted at the same
// moment cannot all get through. A successful login gives its slot back.
type throttle interface {
	// claim takes a slot for key in the window of now; slot is 0 when all
	// are taken.
	claim(ctx context.Context, key string, limit int, now time.Time) (slot int, err error)
	// release gives back a slot claimed in the window of now.
	release(ctx context.Context, key string, slot int, now time.Time)
}

// throttleKey hides what was typed (a login name may be a mistyped
// password) and bounds the key's size.
func throttleKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:12])
}

// storeThrottle keeps the claims in the store, so that every process on
// one store shares the limits. A claim is the insert of
// "<key>|<window>|<n>" under the unique _id index: atomic on MongoDB and on
// the embedded FerretDB, whose conditional updates are not.
type storeThrottle struct {
	st     *store.Store
	window time.Duration

	mu    sync.Mutex
	swept time.Time
}

func (t *storeThrottle) id(key string, slot int, now time.Time) string {
	return fmt.Sprintf("%s|%d|%d", throttleKey(key), now.UnixNano()/int64(t.window), slot)
}

func (t *storeThrottle) claim(ctx context.Context, key string, limit int, now time.Time) (int, error) {
	t.sweep(ctx, now)
	coll := t.st.Collection(LoginClaimsCollection)
	for n := 1; n <= limit; n++ {
		_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: t.id(key, n, now)}, {Key: "at", Value: now.UTC()}})
		if err == nil {
			return n, nil
		}
		if !store.IsDuplicate(err) {
			return 0, fmt.Errorf("console: claiming a login attempt: %w", err)
		}
	}
	return 0, nil
}

func (t *storeThrottle) release(ctx context.Context, key string, slot int, now time.Time) {
	if slot > 0 {
		_, _ = t.st.Collection(LoginClaimsCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: t.id(key, slot, now)}})
	}
}

// sweep deletes claims of past windows, at most once a minute per process,
// so the collection stays as small as the attempts of the last window.
func (t *storeThrottle) sweep(ctx context.Context, now time.Time) {
	t.mu.Lock()
	due := now.Sub(t.swept) > time.Minute
	if due {
		t.swept = now
	}
	t.mu.Unlock()
	if due {
		_, _ = t.st.Collection(LoginClaimsCollection).DeleteMany(ctx,
			bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: now.Add(-2 * t.window).UTC()}}}})
	}
}

// memThrottle is the throttle of a console without a store (tests, tools):
// the same fixed windows, in memory.
type memThrottle struct {
	window time.Duration
	mu     sync.Mutex
	used   map[string]map[int]bool
}

func (t *memThrottle) id(key string, now time.Time) string {
	return fmt.Sprintf("%s|%d", key, now.UnixNano()/int64(t.window))
}

func (t *memThrottle) claim(_ context.Context, key string, limit int, now time.Time) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.used == nil || len(t.used) > 100000 { // bound memory under a flood
		t.used = map[string]map[int]bool{}
	}
	id := t.id(key, now)
	slots := t.used[id]
	if slots == nil {
		slots = map[int]bool{}
		t.used[id] = slots
	}
	for n := 1; n <= limit; n++ {
		if !slots[n] {
			slots[n] = true
			return n, nil
		}
	}
	return 0, nil
}

func (t *memThrottle) release(_ context.Context, key string, slot int, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.used[t.id(key, now)], slot)
}
