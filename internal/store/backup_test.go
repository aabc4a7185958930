package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A backup taken while writers insert keeps, in every collection, every
// document acknowledged before it started and nothing half-way: each
// writer's documents come back as an unbroken prefix of its sequence (a
// snapshot of one instant), with the counts the manifest promised and the
// indexes in place. Restore refuses a folder that is not empty and a
// damaged file, leaving the folder as it was.
func TestBackupUnderLoadRestoresOneInstant(t *testing.T) {
	ctx := context.Background()
	srcDir := t.TempDir()
	src := openForTest(t, srcDir)
	defer src.Close(ctx)
	colls := []string{"cases", "case_messages", "enrolments"}
	if err := EnsureIndexes(ctx, src.Collection("enrolments"), mongo.IndexModel{
		Keys: bson.D{{Key: "course", Value: 1}, {Key: "seq", Value: 1}}, Options: options.Index().SetUnique(true),
	}); err != nil {
		t.Fatal(err)
	}
	acked := make([]atomic.Int64, len(colls))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, name := range colls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := int64(0); ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				doc := bson.D{{Key: "_id", Value: fmt.Sprintf("%s-%06d", name, n)}, {Key: "course", Value: name}, {Key: "seq", Value: n}}
				if _, err := src.Collection(name).InsertOne(ctx, doc); err != nil {
					t.Errorf("writer %s: %v", name, err)
					return
				}
				acked[i].Store(n + 1)
			}
		}()
	}
	for acked[0].Load() < 100 || acked[1].Load() < 100 || acked[2].Load() < 100 {
		time.Sleep(10 * time.Millisecond)
	}
	before := []int64{acked[0].Load(), acked[1].Load(), acked[2].Load()}
	file := filepath.Join(t.TempDir(), "presidio.backup")
	m, err := Backup(ctx, srcDir, file)
	after := []int64{acked[0].Load(), acked[1].Load(), acked[2].Load()}
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup under load: %v", err)
	}

	dest := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(ctx, file, dest); err != nil {
		t.Fatalf("restore: %v", err)
	}
	restored := openForTest(t, dest)
	defer restored.Close(ctx)
	for i, name := range colls {
		cur, err := restored.Collection(name).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}))
		if err != nil {
			t.Fatal(err)
		}
		var docs []struct{ Seq int64 }
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		n := int64(len(docs))
		if n < before[i] || n > after[i]+1 {
			t.Errorf("%s: %d documents restored; %d were acknowledged before the backup, %d after", name, n, before[i], after[i])
		}
		for j, d := range docs {
			if d.Seq != int64(j) {
				t.Fatalf("%s: document %d is seq %d: the snapshot is not one instant", name, j, d.Seq)
			}
		}
		if m.Files[0].Collections[name] != n {
			t.Errorf("%s: manifest says %d, restored %d", name, m.Files[0].Collections[name], n)
		}
	}
	_, err = restored.Collection("enrolments").InsertOne(ctx, bson.D{{Key: "course", Value: "enrolments"}, {Key: "seq", Value: 0}})
	if !IsDuplicate(err) {
		t.Fatalf("unique index not restored: %v", err)
	}

	if _, err := Restore(ctx, file, dest); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("restore into a folder in use: %v, want ErrNotEmpty", err)
	}

	damaged := filepath.Join(t.TempDir(), "damaged.backup")
	b, _ := os.ReadFile(file)
	b[len(b)/2] ^= 0xff
	os.WriteFile(damaged, b, 0o600)
	empty := filepath.Join(t.TempDir(), "empty")
	if _, err := Restore(ctx, damaged, empty); err == nil {
		t.Fatal("a damaged backup was restored")
	}
	if left, _ := filepath.Glob(filepath.Join(empty, "*.sqlite*")); len(left) != 0 {
		t.Fatalf("a refused restore left files behind: %v", left)
	}
}

func TestBackupOfAnEmptyFolderIsRefused(t *testing.T) {
	if _, err := Backup(context.Background(), t.TempDir(), filepath.Join(t.TempDir(), "x.backup")); err == nil {
		t.Fatal("backed up nothing")
	}
}
