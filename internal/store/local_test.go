package store

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func openForTest(t *testing.T, dir string) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, Config{DataDir: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	return s
}

// A second opener of a data folder that a process serves goes through that
// process's socket: what it writes is visible to the first at once, and
// closing it leaves the first serving.
func TestSecondOpenerUsesTheSocket(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first := openForTest(t, dir)
	defer first.Close(ctx)
	if first.embedded == nil || first.embedded.Socket() == "" {
		t.Fatal("the first opener does not serve the data folder on a socket")
	}
	second := openForTest(t, dir)
	if second.embedded != nil {
		t.Fatal("the second opener started its own server on the same files")
	}
	if _, err := second.Collection("accounts").InsertOne(ctx, bson.D{{Key: "_id", Value: "amina"}}); err != nil {
		t.Fatal(err)
	}
	if err := first.Collection("accounts").FindOne(ctx, bson.D{{Key: "_id", Value: "amina"}}).Err(); err != nil {
		t.Fatalf("the serving process does not see the other's write: %v", err)
	}
	if err := second.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := first.Collection("accounts").CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Fatalf("after the client closed: %d, %v", n, err)
	}
	// The data folder is locked while first serves it.
	if _, err := StartEmbedded(ctx, dir, nil); !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("a second server on the same files: %v, want ErrDataDirInUse", err)
	}
	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, SocketFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket left behind after a clean stop: %v", err)
	}
	third := openForTest(t, dir)
	defer third.Close(ctx)
	if third.embedded == nil {
		t.Fatal("with nobody serving, the opener does not start the store itself")
	}
	if n, _ := third.Collection("accounts").CountDocuments(ctx, bson.D{}); n != 1 {
		t.Fatalf("data lost across restarts: %d", n)
	}
}

// A socket left by a killed process (nobody listening) does not stop the
// next start.
func TestStaleSocketIsReplaced(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, SocketFile))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	s := openForTest(t, dir)
	defer s.Close(context.Background())
	if s.embedded == nil || !socketAnswers(filepath.Join(dir, SocketFile)) {
		t.Fatal("the store did not start serving on a fresh socket")
	}
}

func TestServeListensOnLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:27017", "192.168.1.5:27017", ":27017", "nonsense"} {
		if _, err := Serve(context.Background(), t.TempDir(), addr, nil); err == nil {
			t.Errorf("Serve(%q) accepted a non-loopback address", addr)
		}
	}
}

// A short-lived command that starts the store itself does not serve it:
// a Presidio starting meanwhile waits for the command to finish and then
// serves the folder itself, instead of depending on the command.
func TestPresidioWaitsForACommandToFinish(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cmd, err := Open(ctx, Config{DataDir: dir, Command: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if cmd.embedded == nil || cmd.embedded.Socket() != "" {
		t.Fatal("a command serves the data folder on the socket")
	}
	opened := make(chan *Store, 1)
	go func() {
		s, err := Open(ctx, Config{DataDir: dir}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Error(err)
		}
		opened <- s
	}()
	select {
	case <-opened:
		t.Fatal("Presidio opened the data folder while a command held it")
	case <-time.After(500 * time.Millisecond):
	}
	cmd.Close(ctx)
	select {
	case s := <-opened:
		if s == nil {
			return
		}
		defer s.Close(ctx)
		if s.embedded == nil || s.embedded.Socket() == "" {
			t.Fatal("after the command, Presidio does not serve the folder itself")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Presidio still waits after the command finished")
	}
}

// Two long-running processes on one data folder are a pair: when the one
// serving it stops, the other serves the folder itself on the same socket,
// and its own connection carries on without being reopened.
func TestClientAdoptsTheFolderWhenTheServerStops(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first := openForTest(t, dir)
	second := openForTest(t, dir)
	defer second.Close(ctx)
	if second.embedded != nil || second.adopter == nil {
		t.Fatal("the second process is not a client watching the folder")
	}
	if _, err := second.Collection("cases").InsertOne(ctx, bson.D{{Key: "_id", Value: "before"}}); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err = second.Collection("cases").InsertOne(c, bson.D{{Key: "_id", Value: "after"}})
		cancel()
		if err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("the remaining process cannot write after the server stopped: %v", err)
	}
	if n, _ := second.Collection("cases").CountDocuments(ctx, bson.D{}); n != 2 {
		t.Fatalf("%d documents, want the one written before and the one after", n)
	}
	// A third opener now reaches the adopted store through the socket.
	third := openForTest(t, dir)
	defer third.Close(ctx)
	if third.embedded != nil {
		t.Fatal("a third process started its own server beside the adopted one")
	}
	if n, _ := third.Collection("cases").CountDocuments(ctx, bson.D{}); n != 2 {
		t.Fatalf("third process sees %d documents", n)
	}
}

// A process that adopted the folder looks after its files as if it had
// started the store itself: collections made after the adoption get the
// _id index, reclaim runs, and done work is deleted straight in SQLite.
func TestAdoptedFolderGetsTheUpkeep(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first := openForTest(t, dir)
	second := openForTest(t, dir)
	defer second.Close(ctx)
	if second.files() != nil {
		t.Fatal("a client that adopted nothing claims the files")
	}
	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for second.files() == nil && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if second.files() == nil {
		t.Fatal("the folder was not adopted")
	}
	var err error
	for time.Now().Before(deadline) { // the client reconnects to the adopted socket by itself
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err = second.Collection("made_after").InsertOne(c, bson.D{{Key: "_id", Value: "k"}})
		cancel()
		if err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := second.IndexNewCollections(ctx); err != nil {
		t.Fatal(err)
	}
	db, table, err := second.files().table(ctx, second.db.Name(), "made_after")
	if err != nil || db == nil {
		t.Fatalf("table: %v", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, table+idIndexSuffix).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the collection made after the adoption has no _id index (%d, %v)", n, err)
	}
	if err := second.AddToInbox(ctx, []InboxEntry{NewInboxEntry(1, "1", []byte("a")), NewInboxEntry(2, "1", []byte("b"))}); err != nil {
		t.Fatal(err)
	}
	if err := second.DoneInbox(ctx, []string{NewInboxEntry(1, "1", []byte("a")).Key}); err != nil {
		t.Fatal(err)
	}
	left, err := second.PendingInbox(ctx, 10)
	if err != nil || len(left) != 1 || left[0].UpdateID != 2 {
		t.Fatalf("after removing update 1: %+v, %v", left, err)
	}
	if err := second.Reclaim(ctx); err != nil {
		t.Fatal(err)
	}
}
