package bot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// A month of a region's traffic in the store (300,000 documents of outbox
// history and outcomes) does not stop a start: the runtime reads the
// pending queues, not the history, and answers at once; the sweep then
// deletes that history in bounded batches and the files shrink. (Before,
// the start read and sorted the whole outbox under the store's 30 s
// timeout and could not start at all.)
func TestStartAfterAMonthOfTraffic(t *testing.T) {
	if testing.Short() {
		t.Skip("fills the store with 300,000 documents")
	}
	if os.Getenv("PRESIDIO_TEST_STORE") == "wire" {
		// Over the wire the sweep takes the MongoDB path: a find by date per
		// batch, which MongoDB answers through its index and FerretDB by
		// reading the whole collection (minutes at this size).
		t.Skip("the embedded store's own sweep; over the wire only MongoDB's index makes it bounded")
	}
	const messages = 150_000
	dir := t.TempDir()
	st := storetest.OpenAt(t, dir)
	ctx := context.Background()
	old := time.Now().Add(-40 * 24 * time.Hour)
	text := "Per rinnovare il permesso di soggiorno serve il kit postale: ecco cosa fare, passo per passo."
	for from := 0; from < messages; from += 5000 {
		var msgs, results []any
		for i := from; i < from+5000; i++ {
			id := fmt.Sprintf("hist.%d", i)
			msgs = append(msgs, bson.D{{Key: "_id", Value: id}, {Key: "seq", Value: int64(i)},
				{Key: "msg", Value: bson.D{{Key: "chat_id", Value: int64(100000 + i%20000)}, {Key: "text", Value: text}}},
				{Key: "created_at", Value: old}})
			results = append(results, bson.D{{Key: "_id", Value: id}, {Key: "status", Value: store.OutboxSent}, {Key: "telegram_id", Value: i}, {Key: "at", Value: old}})
		}
		if _, err := st.Collection("outbox").InsertMany(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Collection("outbox_results").InsertMany(ctx, results); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Reclaim(ctx); err != nil {
		t.Fatal(err)
	}
	sizeBefore := dirSize(dir)

	emu := newEmulator(t, telegramtest.Options{})
	began := time.Now()
	start(t, emu, st, bot.Config{})
	emu.SendText(telegramtest.User{ID: 77, FirstName: "M"}, "still here?")
	waitSent(t, emu, 77, 1, 2*time.Minute)
	t.Logf("with %d documents of history: started and answered in %v", 2*messages, time.Since(began).Round(time.Millisecond))

	began = time.Now()
	n, err := st.SweepOutbox(ctx, time.Now().Add(-30*24*time.Hour))
	if err != nil || n != messages {
		t.Fatalf("swept %d, %v; want %d", n, err, messages)
	}
	if err := st.Reclaim(ctx); err != nil {
		t.Fatal(err)
	}
	sizeAfter := dirSize(dir)
	t.Logf("sweep and reclaim took %v; data folder %d MiB → %d MiB", time.Since(began).Round(time.Millisecond), sizeBefore>>20, sizeAfter>>20)
	if sizeAfter > sizeBefore/3 {
		t.Fatalf("the data folder did not shrink after the sweep: %d → %d bytes", sizeBefore, sizeAfter)
	}
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
