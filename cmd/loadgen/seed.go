package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/config"
	"github.com/prils-lazio/presidio/internal/store"
)

// envSeed asks the Presidio child to store this many people (a session
// each, and two sent messages each in the outbox history with their
// outcomes) before it starts: the cost per update must not grow with them.
const envSeed = "LOADGEN_SEED"

// seedChatBase keeps seeded people apart from the simulated ones.
const seedChatBase = 900_000_000

// seedPeople fills the store the child is about to use.
func seedPeople(cfg config.Config, log *slog.Logger) error {
	n, _ := strconv.Atoi(os.Getenv(envSeed))
	if n <= 0 {
		return nil
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir}, log)
	if err != nil {
		return err
	}
	defer st.Close(ctx)
	start := time.Now()
	state, _ := bson.Marshal(bson.D{{Key: "flow", Value: "permits"}, {Key: "node", Value: "renew"}, {Key: "answers", Value: bson.D{{Key: "site", Value: "frascati"}}}})
	old := time.Now().Add(-10 * 24 * time.Hour)
	const batch = 1000
	for from := 0; from < n; from += batch {
		var sessions []*store.Session
		var msgs []store.OutboxEntry
		var results []store.OutboxResult
		for i := from; i < min(from+batch, n); i++ {
			chatID := int64(seedChatBase + i)
			lane := strconv.FormatInt(chatID, 10)
			sessions = append(sessions, &store.Session{Lane: lane, ChatID: chatID, Lang: "it", State: state})
			for k := range 2 {
				id := fmt.Sprintf("seed.%d.%d", i, k)
				msgs = append(msgs, store.OutboxEntry{ID: id, Msg: chat.Outgoing{ChatID: chatID, Text: "Ecco cosa fare per rinnovare il permesso di soggiorno: …"}, CreatedAt: old, Cause: lane})
				results = append(results, store.OutboxResult{ID: id, Status: store.OutboxSent, TelegramID: k + 1, At: old})
			}
		}
		if err := st.SaveSessions(ctx, sessions); err != nil {
			return err
		}
		if _, err := st.Enqueue(ctx, msgs); err != nil {
			return err
		}
		if err := st.FinishOutbox(ctx, results); err != nil {
			return err
		}
		ids := make([]string, len(results))
		for i, r := range results {
			ids[i] = r.ID
		}
		if err := st.DropPending(ctx, ids); err != nil {
			return err
		}
	}
	if err := st.IndexNewCollections(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seeded %d people (and %d messages of history) in %v\n", n, 2*n, time.Since(start).Round(time.Second))
	return nil
}
