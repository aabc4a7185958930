package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// IDsWhere finds exactly the documents a find by the field selects
// (numbers as numbers whatever their BSON type, strings only as strings;
// dates, booleans and other types never), through the store's index: the
// plan is a SEARCH, never a SCAN of the collection.
func TestIDsWhereFindsWhatAFindSelects(t *testing.T) {
	s := openDirect(t)
	ctx := context.Background()
	const coll = "probe_lookup"
	oid := bson.NewObjectID()
	if err := s.IndexForLookups(ctx, coll, "thread_id", "status", "who.chat_id"); err != nil {
		t.Fatal(err)
	}
	docs := []any{
		bson.D{{Key: "_id", Value: "a"}, {Key: "thread_id", Value: int32(7)}, {Key: "status", Value: "new"}, {Key: "who", Value: bson.D{{Key: "chat_id", Value: int64(42)}}}},
		bson.D{{Key: "_id", Value: "b"}, {Key: "thread_id", Value: int64(7)}, {Key: "status", Value: "taken"}, {Key: "who", Value: bson.D{{Key: "chat_id", Value: 42.0}}}},
		bson.D{{Key: "_id", Value: "c"}, {Key: "thread_id", Value: 7.0}, {Key: "status", Value: "new"}},
		bson.D{{Key: "_id", Value: "d"}, {Key: "thread_id", Value: "7"}, {Key: "status", Value: 7}},
		bson.D{{Key: "_id", Value: "e"}, {Key: "thread_id", Value: time.UnixMilli(7)}, {Key: "status", Value: true}},
		bson.D{{Key: "_id", Value: "f"}, {Key: "thread_id", Value: 8}, {Key: "status", Value: "new-ish"}},
		bson.D{{Key: "_id", Value: "g"}, {Key: "status", Value: nil}, {Key: "who", Value: bson.D{{Key: "chat_id", Value: "42"}}}},
		bson.D{{Key: "_id", Value: "h"}, {Key: "thread_id", Value: true}, {Key: "who", Value: bson.D{{Key: "chat_id", Value: int32(42)}}}},
		bson.D{{Key: "_id", Value: "i"}, {Key: "status", Value: oid}},
		bson.D{{Key: "_id", Value: "j"}, {Key: "status", Value: oid.Hex()}},
	}
	for i := range 300 { // others, so a scan and a search differ
		docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprintf("o%d", i)}, {Key: "thread_id", Value: 1000 + i}, {Key: "status", Value: "closed"}})
	}
	if _, err := s.Collection(coll).InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := s.IndexNewCollections(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		field string
		value any
	}{
		{"thread_id", 7}, {"thread_id", int64(7)}, {"thread_id", int32(8)}, {"thread_id", 1}, {"thread_id", "7"},
		{"status", "new"}, {"status", "closed"}, {"status", "7"}, {"status", "n"}, {"status", oid.Hex()},
		{"who.chat_id", int64(42)}, {"who.chat_id", "42"},
	} {
		ids, ok, err := s.IDsWhere(ctx, coll, q.field, q.value)
		if err != nil || !ok {
			t.Fatalf("%s = %v: ok %v, %v", q.field, q.value, ok, err)
		}
		cur, err := s.Collection(coll).Find(ctx, bson.D{{Key: q.field, Value: q.value}})
		if err != nil {
			t.Fatal(err)
		}
		var found []struct {
			ID string `bson:"_id"`
		}
		if err := cur.All(ctx, &found); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, f := range found {
			want = append(want, f.ID)
		}
		slices.Sort(ids)
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Errorf("%s = %#v: IDsWhere %v, a find %v", q.field, q.value, ids, want)
		}
	}

	db, table, err := s.files().table(ctx, s.db.Name(), coll)
	if err != nil || db == nil {
		t.Fatal(err)
	}
	for _, field := range []string{"thread_id", "status"} {
		var v any = 7
		if field == "status" {
			v = "new"
		}
		q, arg, _ := lookupQuery(table, field, v)
		plan := queryPlan(t, s, q, arg)
		if strings.Contains(plan, "SCAN") || !strings.Contains(plan, table+lookupSuffix(field)) {
			t.Errorf("lookup by %s: plan %s, want a SEARCH through %s", field, plan, table+lookupSuffix(field))
		}
	}

	if _, ok, _ := s.IDsWhere(ctx, coll, "undeclared", "x"); ok {
		t.Error("a field without its index was looked up (a scan); want ok false, so the caller uses the driver")
	}
}
