package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// outboxSQLiteIndexes lists the SQLite indexes of the outbox's table:
// the store's own (sqliteIndexes) and the others.
func outboxSQLiteIndexes(t *testing.T, s *Store) (ours, others []string) {
	t.Helper()
	ctx := context.Background()
	database := "presidio" // a served store's (it has no client)
	if s.db != nil {
		database = s.db.Name()
	}
	db, table, err := s.files().table(ctx, database, colOutbox)
	if err != nil || db == nil {
		t.Fatalf("the outbox's table: %v", err)
	}
	for n := range tableIndexes(t, db, table) {
		if slices.ContainsFunc(sqliteIndexes[colOutbox], func(ix sqliteIndex) bool { return n == table+ix.suffix }) {
			ours = append(ours, n)
		} else {
			others = append(others, n)
		}
	}
	return ours, others
}

func wantForgetIndexes(t *testing.T, s *Store, when string) {
	t.Helper()
	ours, others := outboxSQLiteIndexes(t, s)
	if len(ours) != len(sqliteIndexes[colOutbox]) {
		t.Errorf("%s: the store's outbox indexes %v, want %d", when, ours, len(sqliteIndexes[colOutbox]))
	}
	if len(others) != 1 || !strings.HasSuffix(others[0], idIndexSuffix) {
		t.Errorf("%s: other outbox indexes %v, want only the _id one", when, others)
	}
}

// countOutbox counts the outbox messages of a chat of seedOutbox (its
// own, and the copies and cards it caused).
func countOutbox(t *testing.T, s *Store, chatID int64) int64 {
	t.Helper()
	n, err := s.db.Collection(colOutbox).CountDocuments(context.Background(), bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "msg.chat_id", Value: chatID}},
		bson.D{{Key: "msg.copy_of.chat_id", Value: chatID}},
		bson.D{{Key: "cause", Value: bson.D{{Key: "$in", Value: bson.A{strconv.FormatInt(chatID, 10)}}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The store's /forget indexes (sqliteIndexes) are made at every start, so
// a store of an earlier version gets them at its first start, and
// FerretDB's indexes of the same fields are dropped then; FerretDB, which
// does not know them, keeps working on the collection (listIndexes, count,
// dbStats, its own indexes, drop), a backup carries them, and a
// collection dropped and made again is indexed again.
func TestForgetIndexesAcrossRestartsAndFerretDB(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("the embedded store's SQLite indexes")
	}
	ctx := context.Background()
	dir := t.TempDir()
	s := openForTest(t, dir)
	defer func() { s.Close(ctx) }()
	seedOutbox(t, s, 400, 20)
	wantForgetIndexes(t, s, "at the first start")

	// A store of an earlier version: FerretDB's indexes, none of the store's.
	db, table, err := s.files().table(ctx, s.db.Name(), colOutbox)
	if err != nil || db == nil {
		t.Fatal(err)
	}
	for _, ix := range sqliteIndexes[colOutbox] {
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`DROP INDEX %q`, table+ix.suffix)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.db.Collection(colOutbox).Indexes().CreateMany(ctx, []mongo.IndexModel{
		{Keys: bson.D{{Key: "msg.chat_id", Value: 1}, {Key: "seq", Value: 1}}},
		{Keys: bson.D{{Key: "cause", Value: 1}}},
		{Keys: bson.D{{Key: "msg.copy_of.chat_id", Value: 1}}},
	}); err != nil {
		t.Fatal(err)
	}
	if ours, others := outboxSQLiteIndexes(t, s); len(ours) != 0 || len(others) != 4 {
		t.Fatalf("the earlier layout: ours %v, others %v", ours, others)
	}
	s.Close(ctx)
	s = openForTest(t, dir)
	wantForgetIndexes(t, s, "after a restart of an earlier store")

	// FerretDB does not know them, and does not mind.
	coll := s.db.Collection(colOutbox)
	listed := func() []string {
		cur, err := coll.Indexes().List(ctx)
		if err != nil {
			t.Fatalf("listIndexes: %v", err)
		}
		var list []struct {
			Name string `bson:"name"`
		}
		if err := cur.All(ctx, &list); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, ix := range list {
			names = append(names, ix.Name)
		}
		return names
	}
	if got := listed(); !slices.Equal(got, []string{"_id_"}) {
		t.Errorf("listIndexes: %v, want [_id_]", got)
	}
	// FerretDB sums the sizes of the SQLite indexes its metadata names
	// (here only _id_, whose SQLite index is the store's, under FerretDB's
	// name): its statistics, validation and compaction work.
	for _, cmd := range []bson.D{
		{{Key: "dbStats", Value: 1}},
		{{Key: "collStats", Value: colOutbox}},
		{{Key: "validate", Value: colOutbox}},
		{{Key: "compact", Value: colOutbox}},
	} {
		if err := s.db.RunCommand(ctx, cmd).Err(); err != nil {
			t.Errorf("%s: %v", cmd[0].Key, err)
		}
	}
	if n, err := coll.EstimatedDocumentCount(ctx); err != nil || n != 400 {
		t.Errorf("count: %d, %v", n, err)
	}
	name, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "seq", Value: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := listed(); !slices.Equal(got, []string{"_id_", name}) {
		t.Errorf("listIndexes: %v, want [_id_ %s]", got, name)
	}
	if err := coll.Indexes().DropOne(ctx, name); err != nil {
		t.Fatal(err)
	}
	wantForgetIndexes(t, s, "after FerretDB made and dropped an index of its own")
	if countOutbox(t, s, forgetBenchChat(1)) == 0 {
		t.Fatal("the seeded chat has no messages (else this test proves nothing)")
	}
	if err := s.ForgetChat(ctx, forgetBenchChat(1)); err != nil {
		t.Fatal(err)
	}
	if n := countOutbox(t, s, forgetBenchChat(1)); n != 0 {
		t.Errorf("%d messages of the forgotten chat left", n)
	}

	// A backup carries them (one file per database, VACUUM INTO).
	file := filepath.Join(t.TempDir(), "presidio.backup")
	if _, err := Backup(ctx, dir, file); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(ctx, file, dest); err != nil {
		t.Fatal(err)
	}
	restored := openForTest(t, dest)
	wantForgetIndexes(t, restored, "in a restored backup")
	if err := restored.ForgetChat(ctx, forgetBenchChat(2)); err != nil {
		t.Fatal(err)
	}
	if n := countOutbox(t, restored, forgetBenchChat(2)); n != 0 {
		t.Errorf("restored: %d messages of the forgotten chat left", n)
	}
	restored.Close(ctx)

	// Dropped with the collection; a collection without its table sends
	// ForgetChat through the driver; made again, indexed again.
	if err := coll.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	db, _, err = s.files().table(ctx, s.db.Name(), colInbox) // the same file, opened again since the restart
	if err != nil || db == nil {
		t.Fatal(err)
	}
	var left int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name LIKE ?`, table+"%").Scan(&left); err != nil || left != 0 {
		t.Fatalf("after drop, %d SQLite objects of the table (%v)", left, err)
	}
	if err := s.ForgetChat(ctx, forgetBenchChat(3)); err != nil {
		t.Fatalf("ForgetChat without an outbox table: %v", err)
	}
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "again"}, {Key: "msg", Value: bson.D{{Key: "chat_id", Value: forgetBenchChat(3)}}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.IndexNewCollections(ctx); err != nil {
		t.Fatal(err)
	}
	wantForgetIndexes(t, s, "after the collection was made again")
	if err := s.ForgetChat(ctx, forgetBenchChat(3)); err != nil {
		t.Fatal(err)
	}
	if n, _ := coll.CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("%d documents left", n)
	}

	// Served to other processes (`presidio store serve`), whose deletes go
	// through FerretDB, the folder does not keep them; opened by a
	// Presidio again, it has them again.
	s.Close(ctx)
	served, err := Serve(ctx, dir, "127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if ours, _ := outboxSQLiteIndexes(t, served.st); len(ours) != 0 {
		t.Errorf("a served store keeps %v", ours)
	}
	served.Close()
	s = openForTest(t, dir)
	wantForgetIndexes(t, s, "opened again after being served")
}
