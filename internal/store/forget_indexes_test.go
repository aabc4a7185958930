package store_test

import (
	"context"
	"os"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// Every field /forget (ForgetChat) and the news audience filter on leads an
// index, so that on MongoDB neither reads a whole collection. The embedded
// store does not index the queues, which hold only the backlog, and indexes
// the outbox for /forget in SQLite itself (see notOnEmbedded in store.go).
func TestForgetAndNewsFiltersHaveIndexes(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	want := map[string][]string{
		"outbox":            {"msg.chat_id", "msg.copy_of.chat_id", "cause"},
		"outbox_pending":    {"msg.chat_id", "msg.copy_of.chat_id", "cause"},
		"pending_updates":   {"lane"},
		"updates_set_aside": {"lane"},
		"news_reach":        {"site", "lang", "topic"},
	}
	if os.Getenv("MONGODB_URI") == "" {
		delete(want, "outbox_pending")
		delete(want, "pending_updates")
	}
	if st.Embedded {
		// A store this process serves: /forget goes through SQLite indexes
		// of the store's own, which FerretDB does not list
		// (TestForgetChatStatementUsesTheIndexes).
		delete(want, "outbox")
	}
	for coll, fields := range want {
		cur, err := st.Collection(coll).Indexes().List(ctx)
		if err != nil {
			t.Fatalf("%s: %v", coll, err)
		}
		var list []struct {
			Key bson.D `bson:"key"`
		}
		if err := cur.All(ctx, &list); err != nil {
			t.Fatal(err)
		}
		leading := map[string]bool{}
		for _, ix := range list {
			if len(ix.Key) > 0 {
				leading[ix.Key[0].Key] = true
			}
		}
		for _, f := range fields {
			if !leading[f] {
				t.Errorf("%s: no index starts with %s (indexes %v)", coll, f, list)
			}
		}
	}
}
