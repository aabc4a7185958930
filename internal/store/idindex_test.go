package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FerretDB's statements by _id (the shapes in its sqlite backend's
// collection.go: find, update and delete) are index lookups on a
// collection the store indexed, and whole-table scans before: SQLite's own
// plan says so.
func TestEmbeddedStatementsByIDUseAnIndex(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("the embedded store's SQLite plans")
	}
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if _, err := s.Collection("probe_lookups").InsertOne(ctx, bson.D{{Key: "_id", Value: "k"}}); err != nil {
		t.Fatal(err)
	}
	dbs, err := s.embedded.files.open()
	if err != nil || len(dbs) != 1 {
		t.Fatalf("files: %d, %v", len(dbs), err)
	}
	var table string
	if err := dbs[0].QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = 'probe_lookups'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	statements := []string{
		`SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = '"k"'`,
		`UPDATE %q SET _ferretdb_sjson = '{}' WHERE _ferretdb_sjson->'$._id' = '"k"'`,
		`DELETE FROM %q WHERE _ferretdb_sjson->'$._id' IN ('"k"', '"j"')`,
	}
	plans := func() (out []string) {
		for _, q := range statements {
			rows, err := dbs[0].QueryContext(ctx, "EXPLAIN QUERY PLAN "+fmt.Sprintf(q, table))
			if err != nil {
				t.Fatal(err)
			}
			var detail []string
			for rows.Next() {
				var id, parent, notused int
				var d string
				if err := rows.Scan(&id, &parent, &notused, &d); err != nil {
					t.Fatal(err)
				}
				detail = append(detail, d)
			}
			rows.Close()
			out = append(out, strings.Join(detail, "; "))
		}
		return out
	}
	for _, p := range plans() {
		if !strings.Contains(p, "SCAN") {
			t.Fatalf("before indexing FerretDB's statements should scan (else this test proves nothing): %s", p)
		}
	}
	if err := s.IndexNewCollections(ctx); err != nil {
		t.Fatal(err)
	}
	for i, p := range plans() {
		if strings.Contains(p, "SCAN") || !strings.Contains(p, idIndexSuffix) {
			t.Errorf("statement %d still scans after indexing: %s", i, p)
		}
	}
}

// FerretDB's own _id index is replaced by the store's unique one (under its name),
// and a duplicate _id is still refused through the driver as a duplicate
// key, as the claims (unique inserts) everywhere in Presidio need.
func TestDuplicateIDsAreRefusedWithoutFerretDBsIndex(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("the embedded store's SQLite indexes")
	}
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	c := s.Collection("probe_claims")
	if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: "k"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.IndexNewCollections(ctx); err != nil {
		t.Fatal(err)
	}
	db, table, err := s.files().table(ctx, s.db.Name(), "probe_claims")
	if err != nil || db == nil {
		t.Fatal(err)
	}
	wantOnlyIDIndex(t, db, table)
	_, err = c.InsertOne(ctx, bson.D{{Key: "_id", Value: "k"}, {Key: "again", Value: true}})
	if !IsDuplicate(err) {
		t.Fatalf("a second document with the same _id: %v, want a duplicate key error", err)
	}
	if n, _ := c.CountDocuments(ctx, bson.D{}); n != 1 {
		t.Fatalf("%d documents, want 1", n)
	}
}

// A store whose _id index has a name of an earlier version (session 4's
// <table>_presidio_uid, with FerretDB's own dropped) gets it under
// FerretDB's name at its next start, so FerretDB's statistics and
// compaction find it, and a duplicate _id stays refused.
func TestEarlierIDIndexNamesAreReplaced(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("the embedded store's SQLite indexes")
	}
	ctx := context.Background()
	dir := t.TempDir()
	s := openForTest(t, dir)
	c := s.Collection("probe_names")
	if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: "k"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.IndexNewCollections(ctx); err != nil {
		t.Fatal(err)
	}
	db, table, err := s.files().table(ctx, s.db.Name(), "probe_names")
	if err != nil || db == nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		fmt.Sprintf(`DROP INDEX %q`, table+idIndexSuffix),
		fmt.Sprintf(`CREATE UNIQUE INDEX %q ON %q (%s)`, table+"_presidio_uid", table, idIndexExpr),
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.RunCommand(ctx, bson.D{{Key: "collStats", Value: "probe_names"}}).Err(); err == nil {
		t.Log("collStats worked with the earlier name (FerretDB changed?)")
	}
	s.Close(ctx)

	s = openForTest(t, dir)
	defer s.Close(ctx)
	db, table, err = s.files().table(ctx, s.db.Name(), "probe_names")
	if err != nil || db == nil {
		t.Fatal(err)
	}
	wantOnlyIDIndex(t, db, table)
	for _, cmd := range []bson.D{{{Key: "collStats", Value: "probe_names"}}, {{Key: "compact", Value: "probe_names"}}} {
		if err := s.db.RunCommand(ctx, cmd).Err(); err != nil {
			t.Errorf("%s: %v", cmd[0].Key, err)
		}
	}
	if _, err := s.Collection("probe_names").InsertOne(ctx, bson.D{{Key: "_id", Value: "k"}}); !IsDuplicate(err) {
		t.Fatalf("a second document with the same _id: %v, want a duplicate key error", err)
	}
}

// tableIndexes returns the SQLite indexes of a table: name → definition.
func tableIndexes(t *testing.T, db *sql.DB, table string) map[string]string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name string
		var def sql.NullString
		if err := rows.Scan(&name, &def); err != nil {
			t.Fatal(err)
		}
		out[name] = def.String
	}
	return out
}

// wantOnlyIDIndex fails unless the table's one index is the store's _id
// index, on the store's expression.
func wantOnlyIDIndex(t *testing.T, db *sql.DB, table string) {
	t.Helper()
	got := tableIndexes(t, db, table)
	def, ok := got[table+idIndexSuffix]
	if len(got) != 1 || !ok {
		t.Fatalf("indexes %v, want only %s", slices.Collect(maps.Keys(got)), table+idIndexSuffix)
	}
	if !strings.Contains(def, idIndexExpr) {
		t.Errorf("%s is %s, want the store's expression %s", table+idIndexSuffix, def, idIndexExpr)
	}
}
