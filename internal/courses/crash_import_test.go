package courses

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// bigFile writes n courses with seats in a CSV file.
func bigFile(t *testing.T, n, seats int) string {
	var b bytes.Buffer
	b.WriteString(csvHeader + "\n")
	for i := range n {
		fmt.Fprintf(&b, "c-%04d,cpia-frascati,A1,Corso %d,Mo,18:00,20:00,2025-10-06,2026-05-29,%d,Via 1,,,\n", i, i, seats)
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func openAt(t *testing.T, dir string) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := store.Config{URI: os.Getenv("MONGODB_URI"), DataDir: dir}
	if cfg.URI != "" {
		cfg.Database = os.Getenv("IMPORT_CHILD_DB")
		if cfg.Database == "" {
			cfg.Database = storetest.DatabaseFor(dir)
		}
	}
	st, err := store.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestImportCrashChild is not a test: TestImportKilledMidway runs this
// test binary again with IMPORT_CHILD_DIR set, and it kills itself with
// SIGKILL once part of the import is written.
func TestImportCrashChild(t *testing.T) {
	dir := os.Getenv("IMPORT_CHILD_DIR")
	if dir == "" {
		t.Skip("helper process for TestImportKilledMidway")
	}
	st := openAt(t, dir)
	c, err := New(context.Background(), st, Config{})
	if err != nil {
		t.Fatal(err)
	}
	stageHook = func(staged int) {
		if staged >= 400 {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	f, err := os.Open(os.Getenv("IMPORT_CHILD_FILE"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Import(context.Background(), "big.csv", f)
	t.Fatalf("the import was not killed: %v", err)
}

// A process killed with SIGKILL in the middle of an import leaves the
// course list as it was; the same import run again then applies whole.
func TestImportKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a process")
	}
	ctx := context.Background()
	dir := t.TempDir()
	dbName := storetest.DatabaseFor(dir)

	st := openAt(t, dir)
	c, err := New(ctx, st, Config{})
	if err != nil {
		t.Fatal(err)
	}
	before := bigFile(t, 5, 7)
	if _, err := c.Import(ctx, before, mustOpen(t, before)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(ctx); err != nil {
		t.Fatal(err)
	}

	big := bigFile(t, 1000, 20)
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "IMPORT_CHILD_DIR="+dir, "IMPORT_CHILD_DB="+dbName, "IMPORT_CHILD_FILE="+big)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed: %v\n%s", err, out.String())
	}

	st = openAt(t, dir)
	defer st.Close(ctx)
	c, err = New(ctx, st, Config{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 5 || list[0].Seats != 7 {
		t.Fatalf("after the kill the list has %d courses (first %+v); want the 5 from before", len(list), list[0])
	}
	res, err := c.Import(ctx, big, mustOpen(t, big))
	if err != nil || res.New != 995 || res.Updated != 5 {
		t.Fatalf("import again: %+v %v", res, err)
	}
	if list, _ := c.List(ctx); len(list) != 1000 || list[0].Seats != 20 {
		t.Fatalf("after the second import: %d courses", len(list))
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
