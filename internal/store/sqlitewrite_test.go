package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/chat"
)

func openDirect(t testing.TB) *Store {
	t.Helper()
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("the embedded store's own rows")
	}
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// rawRow is the column FerretDB keeps a document in.
func rawRow(t *testing.T, s *Store, collection, id string) string {
	t.Helper()
	ctx := context.Background()
	db, table, err := s.files().table(ctx, s.db.Name(), collection)
	if err != nil || db == nil {
		t.Fatalf("table of %s: %v", collection, err)
	}
	var doc string
	if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table), sjsonID(id)).Scan(&doc); err != nil {
		t.Fatalf("row %s of %s: %v", id, collection, err)
	}
	return doc
}

// The direct writer's rows are byte for byte what FerretDB writes for the
// same documents, for every type the hot path stores (and a few more).
func TestSJSONMatchesFerretDB(t *testing.T) {
	s := openDirect(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 3, 20, 45, 1, 123_000_000, time.UTC)
	state := bson.D{
		{Key: "flow", Value: "signup"}, {Key: "step", Value: int32(3)}, {Key: "big", Value: int64(1) << 40},
		{Key: "score", Value: 2.0}, {Key: "ratio", Value: 0.25}, {Key: "ok", Value: true}, {Key: "none", Value: nil},
		{Key: "when", Value: at}, {Key: "tags", Value: bson.A{"a", int32(1), bson.D{{Key: "x", Value: false}, {Key: "no", Value: bson.A{}}}}},
		{Key: "empty", Value: bson.D{}}, {Key: "bin", Value: bson.Binary{Subtype: 0, Data: []byte{0, 1, 2, 250}}},
		{Key: "oid", Value: bson.NewObjectID()},
		{Key: "text", Value: "«Ciao» <b>&</b> \"quoted\" \\ \n tab\t ☕ مرحبا \u2028"},
	}
	msg := outboxDoc{OutboxEntry: OutboxEntry{ID: "u7.1", Seq: 42, CreatedAt: at, Cause: "7",
		Msg: chat.Outgoing{ChatID: 7, Text: "<b>Ciao</b> & benvenuto", ThreadID: 3}},
		Buttons: []flatButton{{Row: 0, Text: "Sì", Data: "yes"}, {Row: 1, Text: "Link", URL: "https://example.org/?a=1&b=2"}}}
	docs := map[string]any{
		"session": bson.D{{Key: "_id", Value: "7"}, {Key: "chat_id", Value: int64(7)}, {Key: "lang", Value: "fr"},
			{Key: "applied", Value: []int64{-5, 9}}, {Key: "state", Value: state}, {Key: "updated_at", Value: at}},
		"update":  NewInboxEntry(12, "7", []byte(`{"update_id":12,"message":{"text":"ciao"}}`)),
		"message": msg,
		"outcome": OutboxResult{ID: "u7.1", Status: OutboxSent, TelegramID: 99, At: at},
	}
	for name, d := range docs {
		coll := "probe_sjson_" + name
		if _, err := s.Collection(coll).InsertOne(ctx, d); err != nil {
			t.Fatal(err)
		}
		raw, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		mine, err := sjsonDocument(raw)
		if err != nil {
			t.Fatal(err)
		}
		id := bson.Raw(raw).Lookup("_id").StringValue()
		if theirs := rawRow(t, s, coll, id); theirs != string(mine) {
			t.Errorf("%s:\nFerretDB wrote %s\nthe direct writer %s", name, theirs, mine)
		}
	}
}

// Values FerretDB's format cannot hold as the writer encodes them are
// refused with errNotSJSON, which sends the write through the driver.
func TestSJSONRefusesWhatItDoesNotEncode(t *testing.T) {
	raw, _ := bson.Marshal(bson.D{{Key: "_id", Value: "x"}, {Key: "re", Value: bson.Regex{Pattern: "a", Options: "i"}}})
	if _, err := sjsonDocument(raw); !errors.Is(err, errNotSJSON) {
		t.Fatalf("a regex: %v, want errNotSJSON", err)
	}
	raw, _ = bson.Marshal(bson.D{{Key: "_id", Value: "x"}, {Key: "rows", Value: bson.A{bson.A{"a"}}}})
	if _, err := sjsonDocument(raw); !errors.Is(err, errNotSJSON) {
		t.Fatalf("nested arrays (FerretDB refuses them): %v, want errNotSJSON", err)
	}
}

// The hot path's writes on the store this process opened go straight to
// SQLite, and what they write reads back through the driver as written,
// with the same duplicate rules as the driver path.
func TestHotPathWritesGoDirectAndReadBack(t *testing.T) {
	s := openDirect(t)
	ctx := context.Background()
	var mu sync.Mutex
	ops := map[string]int{}
	s.OnCommand(func(command string, _ float64) {
		mu.Lock()
		ops[command]++
		mu.Unlock()
	})

	e := NewInboxEntry(5, "7", []byte(`{"update_id":5}`))
	if err := s.AddToInbox(ctx, []InboxEntry{e, e}); err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingInbox(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].Key != e.Key || string(pending[0].Raw) != string(e.Raw) || pending[0].Seq != e.Seq {
		t.Fatalf("pending updates: %+v, %v", pending, err)
	}

	msg := OutboxEntry{ID: "u5.0", Msg: chat.Outgoing{ChatID: 7, Text: "ciao", Buttons: [][]chat.Button{{{Text: "A", Data: "a"}, {Text: "B", Data: "b"}}, {{Text: "C", URL: "https://example.org"}}}}}
	waiting, err := s.Enqueue(ctx, []OutboxEntry{msg})
	if err != nil || len(waiting) != 1 {
		t.Fatalf("enqueue: %v, %v", waiting, err)
	}
	got, err := s.OutboxEntryByID(ctx, "u5.0")
	if err != nil || got.Msg.Text != "ciao" || len(got.Msg.Buttons) != 2 || got.Msg.Buttons[0][1].Data != "b" || got.Status != OutboxPending {
		t.Fatalf("queued message reads back as %+v, %v", got, err)
	}
	if again, err := s.Enqueue(ctx, []OutboxEntry{msg}); err != nil || len(again) != 1 {
		t.Fatalf("a message queued twice without an outcome is still waiting: %v, %v", again, err)
	}
	if err := s.FinishOutbox(ctx, []OutboxResult{{ID: "u5.0", Status: OutboxSent, TelegramID: 3, At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if again, err := s.Enqueue(ctx, []OutboxEntry{msg}); err != nil || len(again) != 0 {
		t.Fatalf("a finished message queued again must not wait: %v, %v", again, err)
	}
	if got, _ := s.OutboxEntryByID(ctx, "u5.0"); got.Status != OutboxSent || got.TelegramID != 3 {
		t.Fatalf("outcome reads back as %+v", got)
	}

	if err := s.SetBlocked(ctx, "7", 7, true); err != nil {
		t.Fatal(err)
	}
	sess, err := s.LoadSession(ctx, "7", 7)
	if err != nil {
		t.Fatal(err)
	}
	sess.Lang = "ar"
	sess.State = mustRaw(bson.D{{Key: "step", Value: int32(2)}, {Key: "items", Value: bson.A{"x", int64(3)}}})
	sess.MarkApplied(e.UpdateID)
	other := &Session{Lane: "8", ChatID: 8, Lang: "en"}
	if err := s.SaveSessions(ctx, []*Session{sess, other}); err != nil {
		t.Fatal(err)
	}
	back, err := s.LoadSession(ctx, "7", 7)
	if err != nil || back.Lang != "ar" || !back.Blocked || !slices.Equal(back.Applied, []int64{e.UpdateID}) ||
		back.State.Lookup("items").Array().Index(1).Int64() != 3 {
		t.Fatalf("session reads back as %+v, %v (blocked must survive the lane's save)", back, err)
	}
	if b, _ := s.LoadSession(ctx, "8", 8); b.Lang != "en" || b.Blocked {
		t.Fatalf("a new session reads back as %+v", b)
	}

	// A second save, with nothing news_reach holds changed, sends nothing
	// through the driver.
	mu.Lock()
	updatesBefore := ops["update"]
	mu.Unlock()
	back.State = mustRaw(bson.D{{Key: "step", Value: int32(3)}})
	if err := s.SaveSessions(ctx, []*Session{back}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if ops["update"] != updatesBefore {
		t.Errorf("a session save went through the driver: %v", ops)
	}
	for _, op := range []string{"direct_inbox", "direct_enqueue", "direct_outcomes", "direct_sessions"} {
		if ops[op] == 0 {
			t.Errorf("%s never went straight to SQLite: %v", op, ops)
		}
	}
	if ops["insert"] != 0 {
		t.Errorf("hot-path writes went through the driver: %v", ops)
	}
}

func mustRaw(d bson.D) bson.Raw {
	b, err := bson.Marshal(d)
	if err != nil {
		panic(err)
	}
	return b
}

// A batch of the direct writer lands whole or not at all: a session whose
// collection has no table yet sends the whole batch through the driver,
// and nothing of the failed transaction stays.
func TestDirectBatchWithANewCollectionFallsBackWhole(t *testing.T) {
	s := openDirect(t)
	ctx := context.Background()
	var list []*Session
	for i := range 40 { // 40 lanes touch most of the 32 shards, none made yet
		list = append(list, &Session{Lane: fmt.Sprint(i), ChatID: int64(i), Lang: "it"})
	}
	if err := s.SaveSessions(ctx, list); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		sess, err := s.LoadSession(ctx, fmt.Sprint(i), int64(i))
		if err != nil || sess.Lang != "it" {
			t.Fatalf("session %d: %+v, %v", i, sess, err)
		}
	}
	n, err := s.StoredPeople(ctx)
	if err != nil || n != 40 {
		t.Fatalf("stored people %d, %v; want 40 (no duplicates from a half-landed batch)", n, err)
	}
}
