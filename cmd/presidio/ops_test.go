package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
)

// TestOpsChild is not a test: the tests below run this binary again with
// PRESIDIO_OPS_CHILD set to the command's arguments (separated by \x1f), as
// the real `presidio ARGS...` in another process.
func TestOpsChild(t *testing.T) {
	args := os.Getenv("PRESIDIO_OPS_CHILD")
	if args == "" {
		t.Skip("helper process")
	}
	os.Exit(run(strings.Split(args, "\x1f"), os.Getenv, os.Stdout, os.Stderr))
}

// presidioCmd prepares `presidio ARGS...` as a separate process with the
// settings in env (and no MONGODB_URI or token unless given).
func presidioCmd(env map[string]string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpsChild$")
	cmd.Env = append(os.Environ(), "PRESIDIO_OPS_CHILD="+strings.Join(append([]string{}, args...), "\x1f"),
		"TELEGRAM_BOT_TOKEN=", "MONGODB_URI=")
	if len(args) == 0 {
		cmd.Env = append(os.Environ(), "PRESIDIO_MAIN_CHILD=1", "TELEGRAM_BOT_TOKEN=", "MONGODB_URI=")
		cmd.Args = []string{os.Args[0], "-test.run=^TestMainProcess$"}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// runPresidio runs a command to its end in another process.
func runPresidio(t *testing.T, env map[string]string, stdin string, args ...string) (code int, out string) {
	t.Helper()
	cmd := presidioCmd(env, args...)
	cmd.Stdin = strings.NewReader(stdin)
	b, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(b)
		}
		t.Fatal(err)
	}
	return 0, string(b)
}

// stopProcess sends SIGTERM and wants a clean exit 0 within 15 s.
func stopProcess(t *testing.T, cmd *exec.Cmd, logs fmt.Stringer) {
	t.Helper()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("did not stop within 15s of SIGTERM\n%s", logs.String())
	}
}

const courseCSV = "id,site,level,title,weekdays,start_time,end_time,start_date,end_date,seats,address\n" +
	"a1,frascati,A1,Italiano per tutti,Mo,15:00,17:00,2027-01-11,2027-06-30,400,Via 1\n"

// While Presidio runs on the embedded store, `presidio user add` and
// `presidio courses import` in another process reach the running store
// through its socket: the account can log in to the running console at
// once and the console lists the imported course, with no restart.
func TestCommandsWhileRunning(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	environment := map[string]string{"PRESIDIO_DATA_DIR": dir, "PRESIDIO_HTTP_ADDR": addr}
	var logs syncBuffer
	bot := presidioCmd(environment)
	bot.Stdout, bot.Stderr = &logs, &logs
	if err := bot.Start(); err != nil {
		t.Fatal(err)
	}
	defer bot.Process.Kill()
	base := "http://" + addr
	waitFor(t, base+"/healthz", &logs)

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	const password = "correct horse battery"
	if code := consoleLogin(t, browser, base, "amina", password); code != http.StatusUnauthorized {
		t.Fatalf("login before the account exists: %d, want 401", code)
	}

	if code, out := runPresidio(t, environment, password+"\n", "user", "add", "-name", "amina", "-role", "coordinator"); code != 0 {
		t.Fatalf("user add while running: exit %d\n%s", code, out)
	}
	if code := consoleLogin(t, browser, base, "amina", password); code != http.StatusSeeOther {
		t.Fatalf("login right after user add: %d, want 303 (logs:\n%s)", code, logs.String())
	}

	file := filepath.Join(t.TempDir(), "courses.csv")
	os.WriteFile(file, []byte(courseCSV), 0o600)
	if code, out := runPresidio(t, environment, "", "courses", "import", file); code != 0 {
		t.Fatalf("courses import while running: exit %d\n%s", code, out)
	}
	resp, err := browser.Get(base + "/console/courses")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Italiano per tutti") {
		t.Fatalf("the running console does not list the imported course: %d %.400s", resp.StatusCode, page)
	}
	if code, out := runPresidio(t, environment, "", "user", "list"); code != 0 || !strings.Contains(out, "amina\tcoordinator") {
		t.Fatalf("user list while running: exit %d\n%s", code, out)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("the running process logged errors:\n%s", logs.String())
	}
	stopProcess(t, bot, &logs)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleLogin fills the console's login form and returns the status.
func consoleLogin(t *testing.T, c *http.Client, base, name, password string) int {
	t.Helper()
	resp, err := c.Get(base + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	form, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(form)
	if m == nil {
		t.Fatalf("no csrf field in the login form: %.300s", form)
	}
	resp, err = c.PostForm(base+"/console/login", url.Values{"csrf": {string(m[1])}, "name": {name}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// `presidio store serve` serves a data folder alone; `presidio store copy`
// moves a populated embedded store onto it with counts checked and
// refuses to copy twice; a Presidio command with MONGODB_URI pointing at
// the served store finds the copied data; SIGTERM stops the server cleanly.
func TestStoreServeAndCopy(t *testing.T) {
	src := map[string]string{"PRESIDIO_DATA_DIR": t.TempDir()}
	var out, errOut bytes.Buffer
	if code := runWithStdin(t, []string{"user", "add", "-name", "amina", "-role", "coordinator"}, src, "correct horse battery\n"); code != 0 {
		t.Fatal("user add")
	}
	file := filepath.Join(t.TempDir(), "courses.csv")
	os.WriteFile(file, []byte(courseCSV), 0o600)
	if code := run([]string{"courses", "import", file}, env(src), &out, &errOut); code != 0 {
		t.Fatalf("import: %s", errOut.String())
	}

	served := t.TempDir()
	var logs syncBuffer
	// Port 0: the server picks a free port and logs it (no race with other
	// processes for a port chosen in advance).
	server := presidioCmd(map[string]string{"PRESIDIO_DATA_DIR": served}, "store", "serve", "-listen", "127.0.0.1:0")
	server.Stdout, server.Stderr = &logs, &logs
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer server.Process.Kill()
	target := servedAddress(t, &logs)

	out.Reset()
	errOut.Reset()
	if code := run([]string{"store", "copy", "-to", target}, env(src), &out, &errOut); code != 0 {
		t.Fatalf("store copy: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "counts checked") || !regexp.MustCompile(`(?m)^console_users\t1 documents`).MatchString(out.String()) {
		t.Fatalf("store copy output:\n%s", out.String())
	}
	errOut.Reset()
	if code := run([]string{"store", "copy", "-to", target}, env(src), io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "-overwrite") {
		t.Fatalf("second copy onto a full target: exit %d, %s\nserver:\n%s", code, errOut.String(), logs.String())
	}

	code, list := runPresidio(t, map[string]string{"MONGODB_URI": target, "PRESIDIO_DATA_DIR": t.TempDir()}, "", "user", "list")
	if code != 0 || !strings.Contains(list, "amina\tcoordinator") {
		t.Fatalf("user list on the served copy: exit %d\n%s", code, list)
	}
	code, export := runPresidio(t, map[string]string{"MONGODB_URI": target, "PRESIDIO_DATA_DIR": t.TempDir()}, "", "courses", "export")
	if code != 0 || !strings.Contains(export, "Italiano per tutti") {
		t.Fatalf("courses export on the served copy: exit %d\n%s", code, export)
	}

	errOut.Reset()
	if code := run([]string{"store", "serve", "-listen", "127.0.0.1:0"}, env(map[string]string{"PRESIDIO_DATA_DIR": served}), io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "in use by another presidio process") {
		t.Fatalf("a second server on the same folder: exit %d, %s", code, errOut.String())
	}
	stopProcess(t, server, &logs)
	if !strings.Contains(logs.String(), "stopped cleanly") {
		t.Fatalf("logs:\n%s", logs.String())
	}
	if _, err := os.Stat(filepath.Join(served, store.SocketFile)); !os.IsNotExist(err) {
		t.Fatalf("socket left after SIGTERM: %v", err)
	}
}

func runWithStdin(t *testing.T, args []string, environment map[string]string, stdin string) int {
	t.Helper()
	code, out := runPresidio(t, environment, stdin, args...)
	if code != 0 {
		t.Logf("%v: %s", args, out)
	}
	return code
}

var servedLine = regexp.MustCompile(`serving the embedded store.* address=(mongodb://[^ ]+)`)

// servedAddress waits for `presidio store serve` to log its address.
func servedAddress(t *testing.T, logs fmt.Stringer) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := servedLine.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("store serve never said where it listens\n%s", logs.String())
	return ""
}

// A backup taken by `presidio backup` in another process while cases,
// their messages and enrolments are being written restores, with
// `presidio restore`, every case, message and enrolment acknowledged
// before the backup began; restoring over it again is refused.
func TestBackupUnderLoadRestoresEverything(t *testing.T) {
	ctx := context.Background()
	srcDir := t.TempDir()
	st, err := store.Open(ctx, store.Config{DataDir: srcDir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	file := filepath.Join(t.TempDir(), "courses.csv")
	os.WriteFile(file, []byte(courseCSV), 0o600)
	if code := run([]string{"courses", "import", file}, env(map[string]string{"PRESIDIO_DATA_DIR": srcDir}), io.Discard, io.Discard); code != 0 {
		t.Fatal("courses import")
	}
	cs, err := cases.New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	catalogue, err := courses.New(ctx, st, courses.Config{})
	if err != nil {
		t.Fatal(err)
	}

	var casesDone, enrolled atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := int64(0); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			c, _, err := cs.Open(ctx, cases.OpenRequest{ChatID: 1000 + i, PersonName: "Persona", Lang: "it", Topic: "permits"})
			if err == nil {
				_, err = cs.AddMessage(ctx, cases.Message{ID: fmt.Sprintf("m%d", i), Case: c.ID, Direction: cases.DirIn, Text: "Ho bisogno di aiuto"})
			}
			if err != nil {
				t.Errorf("case %d: %v", i, err)
				return
			}
			casesDone.Store(i + 1)
		}
	}()
	go func() {
		defer wg.Done()
		for i := int64(0); i < 400; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := catalogue.Enrol(ctx, "a1", courses.Person{ChatID: 5000 + i, Name: "Persona", Phone: "+39 333 000 0000", Language: "uk"}, fmt.Sprintf("k%d", i)); err != nil {
				t.Errorf("enrolment %d: %v", i, err)
				return
			}
			enrolled.Store(i + 1)
		}
	}()
	for casesDone.Load() < 20 || enrolled.Load() < 20 {
		time.Sleep(20 * time.Millisecond)
	}
	casesBefore, enrolledBefore := casesDone.Load(), enrolled.Load()
	backup := filepath.Join(t.TempDir(), "presidio.backup")
	code, out := runPresidio(t, map[string]string{"PRESIDIO_DATA_DIR": srcDir}, "", "backup", backup)
	casesAfter, enrolledAfter := casesDone.Load(), enrolled.Load()
	close(stop)
	wg.Wait()
	if code != 0 || !strings.Contains(out, "backup written to") {
		t.Fatalf("backup while writing: exit %d\n%s", code, out)
	}
	t.Logf("acknowledged before/after the backup: cases %d/%d, enrolments %d/%d", casesBefore, casesAfter, enrolledBefore, enrolledAfter)

	restoreDir := filepath.Join(t.TempDir(), "restored")
	var errOut bytes.Buffer
	if code := run([]string{"restore", backup}, env(map[string]string{"PRESIDIO_DATA_DIR": restoreDir}), io.Discard, &errOut); code != 0 {
		t.Fatalf("restore: exit %d, %s", code, errOut.String())
	}
	restored, err := store.Open(ctx, store.Config{DataDir: restoreDir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close(ctx)
	rcs, _ := cases.New(ctx, restored)
	for i := int64(0); i < casesBefore; i++ {
		c, ok, err := rcs.OpenCaseOf(ctx, 1000+i, "permits")
		if err != nil || !ok {
			t.Fatalf("case of person %d lost in the backup: %v", i, err)
		}
		msgs, err := rcs.Messages(ctx, c.ID)
		if err != nil || len(msgs) != 1 || msgs[0].ID != fmt.Sprintf("m%d", i) {
			t.Fatalf("messages of %s: %+v %v", c.ID, msgs, err)
		}
	}
	rcat, _ := courses.New(ctx, restored, courses.Config{})
	list, err := rcat.Enrolments(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	have := map[int64]bool{}
	for _, e := range list {
		have[e.ChatID] = true
	}
	for i := int64(0); i < enrolledBefore; i++ {
		if !have[5000+i] {
			t.Fatalf("enrolment of person %d lost in the backup (%d restored, %d acknowledged before)", i, len(list), enrolledBefore)
		}
	}
	errOut.Reset()
	if code := run([]string{"restore", backup}, env(map[string]string{"PRESIDIO_DATA_DIR": restoreDir}), io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "empty data folder") {
		t.Fatalf("restore over a store: exit %d, %s", code, errOut.String())
	}
}

// Two Presidio processes on one data folder: the second reaches the store
// through the first's socket. When the first is killed (SIGKILL), the
// second serves the folder itself: its store answers again, and a command
// run afterwards reaches it, so a new account can log in to its console.
func TestSecondProcessServesTheFolderAfterTheFirstIsKilled(t *testing.T) {
	dir := t.TempDir()
	var logsA, logsB syncBuffer
	addrA, addrB := freeAddr(t), freeAddr(t)
	a := presidioCmd(map[string]string{"PRESIDIO_DATA_DIR": dir, "PRESIDIO_HTTP_ADDR": addrA, "PRESIDIO_LEASE_TIMEOUT": "3s"})
	a.Stdout, a.Stderr = &logsA, &logsA
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	defer a.Process.Kill()
	waitFor(t, "http://"+addrA+"/readyz", &logsA)
	b := presidioCmd(map[string]string{"PRESIDIO_DATA_DIR": dir, "PRESIDIO_HTTP_ADDR": addrB, "PRESIDIO_LEASE_TIMEOUT": "3s"})
	b.Stdout, b.Stderr = &logsB, &logsB
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	defer b.Process.Kill()
	waitFor(t, "http://"+addrB+"/healthz", &logsB)
	// The first process is active: the second stands by.
	if body := get(t, "http://"+addrB+"/readyz"); !strings.Contains(body, "standby") {
		t.Fatalf("the second process says %q on /readyz, want standby", body)
	}
	if !strings.Contains(logsB.String(), "using it through its socket") {
		t.Fatalf("the second process did not go through the first's socket:\n%s", logsB.String())
	}

	_ = a.Process.Kill()
	_ = a.Wait()
	waitFor(t, "http://"+addrB+"/readyz", &logsB)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logsB.String(), "this process serves it now") {
		if time.Now().After(deadline) {
			t.Fatalf("the second process did not take the folder over:\n%s", logsB.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	const password = "correct horse battery"
	if code, out := runPresidio(t, map[string]string{"PRESIDIO_DATA_DIR": dir}, password+"\n", "user", "add", "-name", "amina", "-role", "coordinator"); code != 0 {
		t.Fatalf("user add after the takeover: exit %d\n%s", code, out)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if code := consoleLogin(t, browser, "http://"+addrB, "amina", password); code != http.StatusSeeOther {
		t.Fatalf("login on the remaining process: %d\n%s", code, logsB.String())
	}
	stopProcess(t, b, &logsB)
}

// Bad use of backup, restore and store gets one line and a non-zero exit,
// with nothing written.
func TestOpsCommandsRefuseBadUse(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{[]string{"backup"}, nil, 2, "usage: presidio backup FILE"},
		{[]string{"backup", "x.backup"}, map[string]string{"MONGODB_URI": "mongodb://127.0.0.1:1/"}, 2, "mongodump"},
		{[]string{"restore", "x.backup"}, map[string]string{"MONGODB_URI": "mongodb://127.0.0.1:1/"}, 2, "mongorestore"},
		{[]string{"backup", filepath.Join(dir, "x.backup")}, nil, 1, "no embedded store"},
		{[]string{"restore", filepath.Join(dir, "missing.backup")}, nil, 1, "missing.backup"},
		{[]string{"store"}, nil, 2, "usage: presidio store serve"},
		{[]string{"store", "copy"}, nil, 2, "usage"},
		{[]string{"store", "serve", "-listen", "0.0.0.0:27017"}, nil, 1, "not a loopback address"},
	} {
		environment := map[string]string{"PRESIDIO_DATA_DIR": filepath.Join(dir, "data")}
		for k, v := range c.env {
			environment[k] = v
		}
		var errOut bytes.Buffer
		code := run(c.args, env(environment), io.Discard, &errOut)
		lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
		if code != c.code || !strings.Contains(errOut.String(), c.want) || (code == 1 && len(lines) != 1) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", c.args, code, errOut.String(), c.code, c.want)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "data")); len(left) > 0 {
		t.Errorf("a refused command left files in the data folder: %v", left)
	}
}
