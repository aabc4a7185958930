package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// /forget leaves no byte of what the person wrote in the data folder: not
// in the SQLite files, not in their write-ahead logs — while the bot still
// runs, and after a clean stop (what a backup of the folder would hold).
func TestForgetLeavesNoBytesInTheDataFolder(t *testing.T) {
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("the embedded store's files")
	}
	dir := t.TempDir()
	d := startDesk(t, dir)
	thread := d.openCase()
	d.say("Mi chiamo Zenobia Quartararo, telefono 3339876543")
	d.operator(0, thread, "Buongiorno Zenobia, la aspettiamo mercoledì")
	needles := []string{"Zenobia", "Quartararo", "3339876543", "la aspettiamo mercoledì"}
	if len(filesContaining(t, dir, needles)) == 0 {
		t.Fatal("the probe words are not in the data folder before the erasure (the test would prove nothing)")
	}
	d.say("/forget")
	d.press(d.person, d.person.ID, "🗑 "+d.texts.Text("uk", "forget.yes", nil))
	deadline := time.Now().Add(15 * time.Second)
	for {
		found := filesContaining(t, dir, needles)
		if len(found) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("while running, still in the data folder: %v", found)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stopApp(d.a)
	if found := filesContaining(t, dir, needles); len(found) > 0 {
		t.Fatalf("after a clean stop, still in the data folder: %v", found)
	}
}

func filesContaining(t *testing.T, dir string, needles []string) []string {
	t.Helper()
	var found []string
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, n := range needles {
			if strings.Contains(string(b), n) {
				found = append(found, filepath.Base(p)+": "+n)
			}
		}
		return nil
	})
	return found
}

var _ = context.Background
