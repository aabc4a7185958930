package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
)

// BenchmarkForgetChat measures /forget's erasure of a chat's messages
// (ForgetChat) on the embedded store whose outbox holds 10,000 or 100,000
// messages (a month of a region's traffic is hundreds of thousands), with a
// backlog of 500 pending copies. Each iteration forgets another chat, with
// its 20 messages, their copies in a group and the case cards it caused
// (go test ./internal/store -run '^$' -bench ForgetChat -benchtime 5x).
func BenchmarkForgetChat(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("outbox=%d", n), func(b *testing.B) {
			s := openDirect(b)
			chats := seedOutbox(b, s, n, 500)
			b.ResetTimer()
			for i := range b.N {
				if err := s.ForgetChat(context.Background(), forgetBenchChat(i%chats)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// forgetBenchChat is the id of the i-th person's chat of seedOutbox.
func forgetBenchChat(i int) int64 { return int64(500_000_000 + i) }

// forgetBenchGroup is the operators' group seedOutbox's copies and case
// cards go to.
const forgetBenchGroup = -1001234567890

// seedOutbox writes n outbox messages (and the pending copies of the last
// pending of them) straight into the tables, the way the direct writer
// does, and returns how many people's chats they belong to: 20 messages a
// chat, of which 2 are relayed to the operators' group (a copy of the
// person's message, caused by their lane) and 1 is a case card caused by
// them.
func seedOutbox(tb testing.TB, s *Store, n, pending int) (chats int) {
	tb.Helper()
	ctx := context.Background()
	w := s.direct()
	if w == nil {
		tb.Skip("seeding writes the embedded store's tables")
	}
	const perChat = 20
	chats = n / perChat
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	entries := make([]OutboxEntry, 0, 1000)
	flush := func(coll string) {
		rows, err := encodeOutbox(entries)
		if err != nil {
			tb.Fatal(err)
		}
		if err := w.tx(ctx, s.db.Name(), func(t *directTx) error {
			_, err := t.insertMany(coll, rows)
			return err
		}); err != nil {
			tb.Fatal(err)
		}
		entries = entries[:0]
	}
	for i := range n {
		c, k := i%chats, i/chats
		person := forgetBenchChat(c)
		e := OutboxEntry{ID: fmt.Sprintf("u%d.%d", c, k), Seq: int64(k), CreatedAt: at.Add(time.Duration(i) * time.Second),
			Msg: chat.Outgoing{ChatID: person, Text: "Grazie, un operatore ti risponderà al più presto. Intanto puoi scegliere un altro argomento 👇"}}
		switch k {
		case 3, 11: // the person's message relayed to the group
			e.Msg = chat.Outgoing{ChatID: forgetBenchGroup, ThreadID: 40 + c%1000, CopyOf: &chat.MessageRef{ChatID: person, MessageID: 100 + k}}
			e.Cause = fmt.Sprint(person)
		case 4: // the case card
			e.Msg = chat.Outgoing{ChatID: forgetBenchGroup, Text: "Nuovo caso: permesso di soggiorno, Frascati"}
			e.Cause = fmt.Sprint(person)
		}
		entries = append(entries, e)
		if len(entries) == cap(entries) || i == n-1 {
			flush(colOutbox)
		}
	}
	// The last messages are still waiting: their copies are the backlog.
	for i := n - pending; i < n; i++ {
		c, k := i%chats, i/chats
		entries = append(entries, OutboxEntry{ID: fmt.Sprintf("u%d.%d", c, k), Seq: int64(k), Msg: chat.Outgoing{ChatID: forgetBenchChat(c), Text: "In attesa"}})
	}
	flush(colOutboxPending)
	return chats
}
