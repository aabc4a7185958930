package store

import (
	"context"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/chat"
)

// BenchmarkCommitUpdates measures one committer batch on the embedded
// store: 8 or 64 lanes, each with an update taken off the inbox, a reply queued
// and its session saved (go test ./internal/store -bench CommitUpdates).
func BenchmarkCommitUpdates(b *testing.B) {
	for _, lanes := range []int{8, 64} {
		b.Run(fmt.Sprintf("lanes=%d", lanes), func(b *testing.B) { benchCommit(b, lanes) })
	}
}

func benchCommit(b *testing.B, lanes int) { benchCommitOn(b, openDirect(b), lanes) }

func benchCommitOn(b *testing.B, s *Store, lanes int) {
	ctx := context.Background()
	state := mustRaw(bson.D{{Key: "flow", Value: "main"}, {Key: "node", Value: "topics"}, {Key: "vars", Value: bson.D{{Key: "site", Value: "frascati"}}}})
	sessions := make([]*Session, lanes)
	for i := range sessions {
		sessions[i] = &Session{Lane: fmt.Sprint(1000 + i), ChatID: int64(1000 + i), Lang: "fr", State: state}
	}
	if err := s.SaveSessions(ctx, sessions); err != nil { // makes the shards' tables
		b.Fatal(err)
	}
	if err := s.IndexNewCollections(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for n := range b.N {
		var updates []InboxEntry
		var msgs []OutboxEntry
		var keys []string
		for i, sess := range sessions {
			e := NewInboxEntry(int64(n*lanes+i), sess.Lane, []byte(fmt.Sprintf(`{"update_id":%d,"message":{"text":"ciao"}}`, n*lanes+i)))
			updates = append(updates, e)
			keys = append(keys, e.Key)
			msgs = append(msgs, OutboxEntry{ID: fmt.Sprintf("u%d.0", e.UpdateID), Msg: chat.Outgoing{ChatID: sess.ChatID,
				Text: "Di cosa hai bisogno? Scegli un argomento 👇", Buttons: [][]chat.Button{{{Text: "Permesso", Data: "t:permit"}, {Text: "Salute", Data: "t:health"}}, {{Text: "Corsi", Data: "t:courses"}}}}})
			sess.MarkApplied(Fingerprint(e.Raw))
		}
		b.StopTimer()
		if err := s.AddToInbox(ctx, updates); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, _, err := s.CommitUpdates(ctx, msgs, sessions, keys); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*lanes), "µs/update")
}
