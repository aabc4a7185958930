package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestBadSettingExitsWithTwoAndOneLine(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(nil, env(map[string]string{"PRESIDIO_HTTP_ADDR": "nonsense", "PRESIDIO_DATA_DIR": t.TempDir()}), &out, &errOut)
	if code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "PRESIDIO_HTTP_ADDR") {
		t.Fatalf("stderr = %q, want one line naming the variable", errOut.String())
	}
}

func TestHelpListsSettings(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"-h"}, env(nil), &out, io.Discard); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, want := range []string{"TELEGRAM_BOT_TOKEN", "MONGODB_URI", "PRESIDIO_HTTP_ADDR", "127.0.0.1:8080", "./data"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h lacks %q", want)
		}
	}
}

// TestMainProcess is not a test: TestSandboxEndToEnd runs this binary again
// with PRESIDIO_MAIN_CHILD set, as the real command.
func TestMainProcess(t *testing.T) {
	if os.Getenv("PRESIDIO_MAIN_CHILD") == "" {
		t.Skip("helper process")
	}
	os.Exit(run(nil, os.Getenv, os.Stdout, os.Stderr))
}

// The command with no token starts the sandbox on the embedded store: the
// page answers, a /start typed in it gets the greeting, health, readiness
// and metrics answer, and SIGTERM stops it cleanly with exit code 0.
func TestSandboxEndToEnd(t *testing.T) {
	addr := freeAddr(t)
	var logs syncBuffer
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
	cmd.Env = append(os.Environ(), "PRESIDIO_MAIN_CHILD=1", "PRESIDIO_HTTP_ADDR="+addr,
		"PRESIDIO_DATA_DIR="+t.TempDir(), "TELEGRAM_BOT_TOKEN=", "MONGODB_URI=")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://" + addr
	waitFor(t, base+"/healthz", &logs)

	page := get(t, base+"/?ui=en")
	if !strings.Contains(page, "Presidio — simulator") || !strings.Contains(page, "Українська") {
		t.Fatalf("sandbox page: %.300s", page)
	}
	resp, err := http.Post(base+"/sandbox/api/send", "application/json",
		strings.NewReader(`{"user_id":4242,"name":"Olena","lang":"uk","text":"/start"}`))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("send: %v %v", resp, err)
	}
	var got struct {
		Entries []struct {
			From, Text string
			Buttons    [][]struct{ Text, Data string }
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(got.Entries) < 3 && time.Now().Before(deadline) {
		_ = json.Unmarshal([]byte(get(t, base+"/sandbox/api/transcript?user_id=4242&after=0")), &got)
	}
	if len(got.Entries) < 3 || !strings.Contains(got.Entries[1].Text, "Olena") || !strings.Contains(got.Entries[1].Text, "Presidio") {
		t.Fatalf("transcript: %+v\nlogs:\n%s", got.Entries, logs.String())
	}
	if len(got.Entries[2].Buttons) != 2 || got.Entries[2].Buttons[0][0].Data != "consent:yes" || !strings.Contains(got.Entries[2].Text, "/privacy") {
		t.Fatalf("privacy notice in Ukrainian with the consent buttons: %+v", got.Entries[2])
	}
	if body := get(t, base+"/readyz"); !strings.Contains(body, "ready") {
		t.Fatalf("readyz: %q", body)
	}
	metrics := get(t, base+"/metrics")
	for _, want := range []string{"presidio_updates_received_total 1", `presidio_sends_total{outcome="sent"} 2`, "presidio_update_processing_seconds_count 1", "presidio_outbox_depth 0"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(logs.String(), "/start") || strings.Contains(logs.String(), "Olena") {
		t.Errorf("message text or names were logged at info level:\n%s", logs.String())
	}

	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("did not stop within 15s of SIGTERM\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "stopped cleanly") || !strings.Contains(logs.String(), "embedded FerretDB") {
		t.Fatalf("logs:\n%s", logs.String())
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitFor(t *testing.T, url string, logs fmt.Stringer) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered\n%s", url, logs.String())
}

func get(t *testing.T, url string) string {
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// syncBuffer is a buffer the child's output goroutines and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// `presidio courses import` and `presidio directory import` refuse a bad
// file with FILE:LINE for every problem, exit 1, and import nothing.
func TestCatalogueImportsRefuseBadFiles(t *testing.T) {
	dir := t.TempDir()
	environment := env(map[string]string{"PRESIDIO_DATA_DIR": dir})
	bad := filepath.Join(dir, "courses.csv")
	os.WriteFile(bad, []byte("id,site,level,title,weekdays,start_time,end_time,start_date,end_date,seats,address\n"+
		"a1,frascati,A1,Corso,Mo,15:00,17:00,2027-01-11,2027-06-30,20,Via 1\n"+
		"a2,frascati,Z9,Corso,Xx,25:00,17:00,2027-13-11,2027-06-30,0,Via 2\n"), 0o600)
	var out, errOut bytes.Buffer
	if code := run([]string{"courses", "import", bad}, environment, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), bad+":3: ") {
		t.Fatalf("no FILE:LINE error: %s", errOut.String())
	}
	out.Reset()
	if code := run([]string{"courses", "export"}, environment, &out, io.Discard); code != 0 || strings.Contains(out.String(), "a1,") {
		t.Fatalf("something was imported from a refused file (exit %d): %s", code, out.String())
	}
	badDir := filepath.Join(dir, "services.csv")
	os.WriteFile(badDir, []byte("id,name,category,provider_type,municipality,description_it\nx,X,nonsense,public,Frascati,Descrizione\n"), 0o600)
	errOut.Reset()
	if code := run([]string{"directory", "import", badDir}, environment, io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), badDir+":2: ") {
		t.Fatalf("directory import: exit %d, %s", code, errOut.String())
	}
}

// `presidio translations status` reads the locales folder and prints one
// line per language.
func TestTranslationsStatus(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"translations", "status", "-dir", "../../locales"}, env(nil), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "fa ") || !strings.Contains(out.String(), "not reviewed") {
		t.Errorf("status:\n%s", out.String())
	}
}
