package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// ForgetChat deletes exactly what its MongoDB filters select, however the
// documents were written (through the driver, by the direct writer) and
// whatever type a field holds: on the embedded store a process opened
// itself the deletes run straight in SQLite (forget_direct.go), elsewhere
// through the driver, and both must agree with FerretDB's own evaluation
// of the filters, which this test asks for first.
func TestForgetChatDeletesWhatTheFilterDeletes(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	const (
		person = int64(500000003)      // fits an int32 too
		group  = int64(-1001234567890) // does not
		other  = int64(777)
	)
	forgotten := []int64{person, 1, group}

	// Each document, and whether forgetting the three chats deletes it.
	type doc struct {
		id   string
		gone bool
		d    bson.D
	}
	msg := func(chatID any) bson.D { return bson.D{{Key: "chat_id", Value: chatID}, {Key: "text", Value: "ciao"}} }
	outbox := []doc{
		{"long", true, bson.D{{Key: "msg", Value: msg(person)}}},
		{"int", true, bson.D{{Key: "msg", Value: msg(int32(person))}}},
		{"double", true, bson.D{{Key: "msg", Value: msg(float64(person))}}},
		{"double-fraction", false, bson.D{{Key: "msg", Value: msg(float64(person) + 0.5)}}},
		{"string", false, bson.D{{Key: "msg", Value: msg(fmt.Sprint(person))}}},
		{"date", false, bson.D{{Key: "msg", Value: msg(bson.DateTime(person))}}},
		{"other", false, bson.D{{Key: "msg", Value: msg(other)}}},
		{"null", false, bson.D{{Key: "msg", Value: msg(nil)}}},
		{"no-msg", false, bson.D{{Key: "chat_id", Value: person}}},
		{"one", true, bson.D{{Key: "msg", Value: msg(int64(1))}}},
		{"true", false, bson.D{{Key: "msg", Value: msg(true)}}},
		{"false", false, bson.D{{Key: "msg", Value: msg(false)}}},
		{"group", true, bson.D{{Key: "msg", Value: msg(group)}}},
		{"group-double", true, bson.D{{Key: "msg", Value: msg(float64(group))}}},
		{"group-other", false, bson.D{{Key: "msg", Value: msg(group + 1)}}},
		{"copy", true, bson.D{{Key: "msg", Value: bson.D{{Key: "chat_id", Value: other}, {Key: "copy_of", Value: bson.D{{Key: "chat_id", Value: person}, {Key: "message_id", Value: 5}}}}}}},
		{"copy-int", true, bson.D{{Key: "msg", Value: bson.D{{Key: "chat_id", Value: other}, {Key: "copy_of", Value: bson.D{{Key: "chat_id", Value: int32(person)}}}}}}},
		{"copy-other", false, bson.D{{Key: "msg", Value: bson.D{{Key: "chat_id", Value: other}, {Key: "copy_of", Value: bson.D{{Key: "chat_id", Value: other}}}}}}},
		{"copy-string", false, bson.D{{Key: "msg", Value: bson.D{{Key: "chat_id", Value: other}, {Key: "copy_of", Value: bson.D{{Key: "chat_id", Value: fmt.Sprint(person)}}}}}}},
		{"copy-null", false, bson.D{{Key: "msg", Value: bson.D{{Key: "chat_id", Value: other}, {Key: "copy_of", Value: nil}}}}},
		{"cause", true, bson.D{{Key: "msg", Value: msg(group + 2)}, {Key: "cause", Value: fmt.Sprint(person)}}},
		{"cause-one", true, bson.D{{Key: "msg", Value: msg(other)}, {Key: "cause", Value: "1"}}},
		{"cause-prefix", false, bson.D{{Key: "msg", Value: msg(other)}, {Key: "cause", Value: fmt.Sprint(person) + "0"}}},
		{"cause-number", false, bson.D{{Key: "msg", Value: msg(other)}, {Key: "cause", Value: person}}},
		{"cause-true", false, bson.D{{Key: "msg", Value: msg(other)}, {Key: "cause", Value: true}}},
		{"cause-empty", false, bson.D{{Key: "msg", Value: msg(other)}, {Key: "cause", Value: ""}}},
	}
	queue := []doc{
		{"lane", true, bson.D{{Key: "lane", Value: fmt.Sprint(person)}}},
		{"lane-one", true, bson.D{{Key: "lane", Value: "1"}}},
		{"lane-group", true, bson.D{{Key: "lane", Value: fmt.Sprint(group)}}},
		{"lane-other", false, bson.D{{Key: "lane", Value: fmt.Sprint(other)}}},
		{"lane-number", false, bson.D{{Key: "lane", Value: person}}},
		{"lane-true", false, bson.D{{Key: "lane", Value: true}}},
		{"no-lane", false, bson.D{{Key: "update_id", Value: 9}}},
	}
	want := map[string][]doc{"outbox": outbox, "outbox_pending": outbox, "pending_updates": queue, "updates_set_aside": queue}
	for coll, docs := range want {
		var many []any
		for _, d := range docs {
			many = append(many, append(bson.D{{Key: "_id", Value: d.id}}, d.d...))
		}
		if _, err := st.Collection(coll).InsertMany(ctx, many); err != nil {
			t.Fatalf("%s: %v", coll, err)
		}
	}
	// Messages as the runtime queues them (the direct writer's rows on the
	// embedded store): a reply, a copy of the person's message in the
	// operators' group, a case card they caused; and another person's.
	queued := []store.OutboxEntry{
		{ID: "q-reply", Msg: chat.Outgoing{ChatID: person, Text: "Ciao"}, CreatedAt: time.Now()},
		{ID: "q-copy", Msg: chat.Outgoing{ChatID: group, ThreadID: 4, CopyOf: &chat.MessageRef{ChatID: person, MessageID: 7}}, Cause: fmt.Sprint(person), CreatedAt: time.Now()},
		{ID: "q-card", Msg: chat.Outgoing{ChatID: group, Text: "Nuovo caso"}, Cause: fmt.Sprint(person), CreatedAt: time.Now()},
		{ID: "q-other", Msg: chat.Outgoing{ChatID: other, Text: "Ciao"}, Cause: fmt.Sprint(other), CreatedAt: time.Now()},
	}
	if _, err := st.Enqueue(ctx, queued); err != nil {
		t.Fatal(err)
	}
	for _, q := range queued {
		d := doc{id: q.ID, gone: q.ID != "q-other"}
		want["outbox"] = append(want["outbox"], d)
		want["outbox_pending"] = append(want["outbox_pending"], d)
	}

	ids := func(coll string, filter any) []string {
		t.Helper()
		cur, err := st.Collection(coll).Find(ctx, filter)
		if err != nil {
			t.Fatalf("%s: %v", coll, err)
		}
		var list []struct {
			ID string `bson:"_id"`
		}
		if err := cur.All(ctx, &list); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range list {
			out = append(out, d.ID)
		}
		slices.Sort(out)
		return out
	}
	// ForgetChat's filters, for the three chats.
	var outboxOr, laneOr bson.A
	for _, c := range forgotten {
		outboxOr = append(outboxOr,
			bson.D{{Key: "msg.chat_id", Value: c}},
			bson.D{{Key: "msg.copy_of.chat_id", Value: c}},
			bson.D{{Key: "cause", Value: fmt.Sprint(c)}})
		laneOr = append(laneOr, bson.D{{Key: "lane", Value: fmt.Sprint(c)}})
	}
	filters := map[string]bson.D{
		"outbox": {{Key: "$or", Value: outboxOr}}, "outbox_pending": {{Key: "$or", Value: outboxOr}},
		"pending_updates": {{Key: "$or", Value: laneOr}}, "updates_set_aside": {{Key: "$or", Value: laneOr}},
	}
	split := func(docs []doc) (gone, kept []string) {
		for _, d := range docs {
			if d.gone {
				gone = append(gone, d.id)
			} else {
				kept = append(kept, d.id)
			}
		}
		slices.Sort(gone)
		slices.Sort(kept)
		return gone, kept
	}
	// FerretDB's (or MongoDB's) own reading of the filters: the reference.
	for coll, docs := range want {
		gone, _ := split(docs)
		if got := ids(coll, filters[coll]); !slices.Equal(got, gone) {
			t.Fatalf("%s: the filters select %v, the test expects %v", coll, got, gone)
		}
	}

	for _, c := range forgotten {
		if err := st.ForgetChat(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for coll, docs := range want {
		_, kept := split(docs)
		if got := ids(coll, bson.D{}); !slices.Equal(got, kept) {
			t.Errorf("%s after ForgetChat: %v, want %v", coll, got, kept)
		}
	}
}
