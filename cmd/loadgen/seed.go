package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/config"
	"github.com/prils-lazio/presidio/internal/store"
)

// envSeed asks the Presidio child to store this many people (a session
// each, as the measurement did) before it starts: the cost per
// update must not grow with them.
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
	const batch = 1000
	for from := 0; from < n; from += batch {
		var sessions []*store.Session
		for i := from; i < min(from+batch, n); i++ {
			chatID := int64(seedChatBase + i)
			sessions = append(sessions, &store.Session{Lane: strconv.FormatInt(chatID, 10), ChatID: chatID, Lang: "it", State: state})
		}
		if err := st.SaveSessions(ctx, sessions); err != nil {
			return err
		}
	}
	if err := st.IndexNewCollections(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seeded %d people in %v\n", n, time.Since(start).Round(time.Second))
	return nil
}
