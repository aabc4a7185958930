package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// After documents are deleted and Reclaim runs, their text is in no file of
// the data folder (secure_delete, checkpoint, incremental vacuum), and the
// files shrink.
func TestReclaimLeavesNoDeletedBytesAndShrinks(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("the embedded store's files")
	}
	if os.Getenv("PRESIDIO_TEST_STORE") == "wire" {
		t.Skip("reclaiming is the upkeep of the process that serves the files, not of a client")
	}
	dir := t.TempDir()
	s := storetest.OpenAt(t, dir)
	ctx := context.Background()
	c := s.Collection("probe_erase")
	secret := "Zyxwvut-Secret-Name-4711"
	var docs []any
	for i := range 3000 {
		docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprint("d", i)}, {Key: "name", Value: secret}, {Key: "pad", Value: strings.Repeat("p", 400)}})
	}
	if _, err := c.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := s.Reclaim(ctx); err != nil {
		t.Fatal(err)
	}
	before := folderSize(t, dir)
	if !folderContains(t, dir, secret) {
		t.Fatal("the probe text should be in the files before the delete (else the test proves nothing)")
	}
	if _, err := c.DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Reclaim(ctx); err != nil {
		t.Fatal(err)
	}
	if folderContains(t, dir, secret) {
		t.Fatal("deleted text is still readable in the data folder")
	}
	if after := folderSize(t, dir); after >= before*3/4 {
		t.Fatalf("files did not shrink after the delete: %d → %d bytes", before, after)
	}
	_ = store.ErrNotFound
}

func folderSize(t *testing.T, dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func folderContains(t *testing.T, dir, s string) bool {
	found := false
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), s) {
			found = true
		}
		return nil
	})
	return found
}
