package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// CopyTo moves a populated store to a served embedded store (standing in
// for MongoDB): every collection with all its documents and indexes, an
// empty one included; a non-empty target is refused unless Overwrite, and
// the store itself is never a target.
func TestCopyToServedStore(t *testing.T) {
	ctx := context.Background()
	src := openForTest(t, t.TempDir())
	defer src.Close(ctx)
	var docs []any
	for i := range 2500 { // more than one batch
		docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprintf("s%05d", i)}, {Key: "chat", Value: int64(i)}, {Key: "text", Value: strings.Repeat("x", i%50)}})
	}
	if _, err := src.Collection("sessions_07").InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := EnsureIndexes(ctx, src.Collection("sessions_07"), mongo.IndexModel{Keys: bson.D{{Key: "chat", Value: 1}}, Options: options.Index().SetUnique(true).SetName("by_chat")}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Collection("cases").InsertOne(ctx, bson.D{{Key: "_id", Value: "PR000001"}, {Key: "status", Value: "open"}}); err != nil {
		t.Fatal(err)
	}
	if err := EnsureIndexes(ctx, src.Collection("empty_claims"), mongo.IndexModel{Keys: bson.D{{Key: "key", Value: 1}}, Options: options.Index().SetUnique(true)}); err != nil {
		t.Fatal(err)
	}

	served, err := Serve(ctx, t.TempDir(), "127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer served.Close()
	client, target, err := ConnectTarget(ctx, served.URI(), "presidio_copy")
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)

	copied, err := src.CopyTo(ctx, target, CopyOptions{})
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	names, _ := src.CollectionNames(ctx)
	if len(copied) != len(names) {
		t.Fatalf("copied %+v, the source has %v", copied, names)
	}
	got := map[string]int64{}
	for _, c := range copied {
		want, _ := src.Collection(c.Name).CountDocuments(ctx, bson.D{})
		n, _ := target.Collection(c.Name).CountDocuments(ctx, bson.D{})
		if c.Documents != want || n != want {
			t.Errorf("%s: copied %d, target holds %d, source %d", c.Name, c.Documents, n, want)
		}
		got[c.Name] = n
	}
	if n, ok := got["empty_claims"]; got["sessions_07"] != 2500 || got["cases"] != 1 || !ok || n != 0 {
		t.Errorf("copied %v", got)
	}
	if _, err := target.Collection("sessions_07").InsertOne(ctx, bson.D{{Key: "chat", Value: int64(7)}}); !IsDuplicate(err) {
		t.Errorf("unique index by_chat not copied: %v", err)
	}
	if _, err := target.Collection("empty_claims").InsertMany(ctx, []any{bson.D{{Key: "key", Value: "a"}}, bson.D{{Key: "key", Value: "a"}}}); !IsDuplicate(err) {
		t.Errorf("the empty collection's unique index not copied: %v", err)
	}

	if _, err := src.CopyTo(ctx, target, CopyOptions{}); !errors.Is(err, ErrTargetNotEmpty) {
		t.Fatalf("second copy onto a full target: %v, want ErrTargetNotEmpty", err)
	}
	if _, err := src.CopyTo(ctx, target, CopyOptions{Overwrite: true}); err != nil {
		t.Fatalf("copy with Overwrite: %v", err)
	}
	if n, _ := target.Collection("sessions_07").CountDocuments(ctx, bson.D{}); n != 2500 {
		t.Fatalf("after an overwriting copy the target holds %d", n)
	}

	self, selfDB, err := ConnectTarget(ctx, SocketURI(src.embedded.Socket()), "presidio")
	if err != nil {
		t.Fatal(err)
	}
	defer self.Disconnect(ctx)
	if _, err := src.CopyTo(ctx, selfDB, CopyOptions{Overwrite: true}); err == nil || !strings.Contains(err.Error(), "itself") {
		t.Fatalf("copy onto itself: %v", err)
	}
	if n, _ := src.Collection("sessions_07").CountDocuments(ctx, bson.D{}); n != 2500 {
		t.Fatalf("the source lost documents: %d", n)
	}
}
