package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	targetPresidio = "presidio"
	targetEcho     = "echo"
)

// child is the bot under test, running as a separate process.
type child struct {
	target  string
	cmd     *exec.Cmd
	addr    string // Presidio's HTTP server ("" for the echo bot)
	logs    *tail
	dataDir string // removed by stop

	exited  chan struct{}
	waitErr error
}

// startChild starts loadgen again in serve mode for target, talking to the
// emulator at emuURL with token, and waits until it serves.
func startChild(ctx context.Context, o options, target, mode, emuURL, token string, stderr io.Writer) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding loadgen's own binary to start the bot: %w", err)
	}
	c := &child{target: target, logs: newTail(80), exited: make(chan struct{})}
	env := withoutVars(os.Environ(), "TELEGRAM_", "PRESIDIO_", "LOADGEN_")
	env = append(env, envEmuURL+"="+emuURL, envToken+"="+token)
	arg := serveEchoArg
	if target == targetPresidio {
		arg = servePresidioArg
		if os.Getenv("MONGODB_URI") == "" {
			if c.dataDir, err = os.MkdirTemp(o.dataDir, "loadgen-store-"); err != nil {
				return nil, fmt.Errorf("creating the embedded store's folder: %w", err)
			}
		} else {
			c.dataDir = "" // the database is the one of MONGODB_URI
		}
		dataDir := c.dataDir
		if dataDir == "" {
			dataDir = filepath.Join(os.TempDir(), "loadgen-unused")
		}
		env = append(env,
			"TELEGRAM_BOT_TOKEN="+token,
			"TELEGRAM_API_URL="+emuURL,
			"PRESIDIO_DATA_DIR="+dataDir,
			"PRESIDIO_HTTP_ADDR=127.0.0.1:0",
			"PRESIDIO_LOG_LEVEL=warn",
			"PRESIDIO_LOG_FORMAT=text",
			"PRESIDIO_OBSERVATORY_SECRET=loadgen-observatory-key", // required with MONGODB_URI
		)
		// Translations edited on disk are what Presidio would answer with.
		if dir := os.Getenv("PRESIDIO_LOCALES_DIR"); dir != "" {
			env = append(env, "PRESIDIO_LOCALES_DIR="+dir)
		}
		if o.pprof {
			env = append(env, envPprof+"=1")
		}
		if o.seed > 0 {
			env = append(env, fmt.Sprintf("%s=%d", envSeed, o.seed))
		}
		if o.cpuProfile != "" {
			env = append(env, envCPUProfile+"="+o.cpuProfile+"-"+mode+".pprof")
		}
	}
	c.cmd = exec.Command(exe, arg)
	c.cmd.Env = env
	ready := &readyWriter{ch: make(chan string, 1), rest: c.logs}
	c.cmd.Stdout = ready
	var logOut io.Writer = c.logs
	if o.verbose {
		logOut = io.MultiWriter(c.logs, prefixed(stderr, "["+target+"] "))
	}
	c.cmd.Stderr = logOut
	setChildAttrs(c.cmd)
	if err := c.cmd.Start(); err != nil {
		c.removeData()
		return nil, fmt.Errorf("starting %s: %w", target, err)
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.exited)
	}()
	timer := time.NewTimer(90*time.Second + time.Duration(o.seed)*10*time.Millisecond) // seeding takes a while
	defer timer.Stop()
	select {
	case addr := <-ready.ch:
		if addr != "-" {
			c.addr = addr
		}
		return c, nil
	case <-c.exited:
		c.removeData()
		return nil, fmt.Errorf("%s exited before serving (%v); its last output:\n%s", target, c.waitErr, c.logs.String())
	case <-timer.C:
		c.stop()
		return nil, fmt.Errorf("%s did not start serving within 90s; its last output:\n%s", target, c.logs.String())
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	}
}

// stop ends the child (SIGTERM, then SIGKILL after 15 s) and removes its
// temporary store.
func (c *child) stop() {
	defer c.removeData()
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

// alive reports an error when the child has exited.
func (c *child) alive() error {
	select {
	case <-c.exited:
		return fmt.Errorf("%s exited during the run (%v); its last output:\n%s", c.target, c.waitErr, c.logs.String())
	default:
		return nil
	}
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) removeData() {
	if c.dataDir != "" {
		_ = os.RemoveAll(c.dataDir)
	}
}

// dataSize is the size of the embedded store's files, in bytes (0 on
// MongoDB).
func (c *child) dataSize() int64 {
	if c.dataDir == "" {
		return 0
	}
	var total int64
	_ = filepath.WalkDir(c.dataDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return total
}

// metrics scrapes Presidio's /metrics: series (with labels) → value.
func (c *child) metrics(ctx context.Context) (map[string]float64, error) {
	if c.addr == "" {
		return nil, errors.New("no metrics endpoint")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scraping /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scraping /metrics: HTTP %d", resp.StatusCode)
	}
	return parseMetrics(resp.Body)
}

// parseMetrics reads the Prometheus text format (only what Presidio writes:
// "name{labels} value" lines and comments).
func parseMetrics(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		out[strings.TrimSpace(line[:i])] = v
	}
	return out, sc.Err()
}

// withoutVars drops the variables whose names start with one of prefixes.
func withoutVars(env []string, prefixes ...string) []string {
	var out []string
next:
	for _, kv := range env {
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

// readyWriter takes the child's stdout: the first READY line is passed on,
// everything else goes to rest.
type readyWriter struct {
	ch   chan string
	rest io.Writer
	mu   sync.Mutex
	buf  []byte
	sent bool
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		if addr, ok := strings.CutPrefix(line, readyPrefix); ok && !w.sent {
			w.sent = true
			w.ch <- strings.TrimSpace(addr)
			continue
		}
		_, _ = w.rest.Write([]byte(line + "\n"))
	}
}

// tail keeps the last lines a child wrote and counts its warnings and
// errors.
type tail struct {
	mu       sync.Mutex
	max      int
	lines    []string
	partial  []byte
	warnings int
}

func newTail(max int) *tail { return &tail{max: max} }

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.partial = append(t.partial, p...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(t.partial[:i])
		t.partial = t.partial[i+1:]
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") ||
			strings.HasPrefix(line, "echo: ") || strings.Contains(line, "[TGBOT] [ERROR]") || strings.HasPrefix(line, "panic:") {
			t.warnings++
		}
		t.lines = append(t.lines, line)
		if len(t.lines) > t.max {
			t.lines = t.lines[len(t.lines)-t.max:]
		}
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.Join(t.lines, "\n")
	if len(t.partial) > 0 {
		s += "\n" + string(t.partial)
	}
	if s == "" {
		return "  (nothing)"
	}
	return s
}

func (t *tail) warningCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.warnings
}

// lastLines returns up to n of the last lines.
func (t *tail) lastLines(n int) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.lines[max(0, len(t.lines)-n):]...)
}

// prefixed writes each line to w with a prefix.
func prefixed(w io.Writer, prefix string) io.Writer {
	return &prefixWriter{w: w, prefix: prefix}
}

type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		_, _ = fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.buf[:i])
		p.buf = p.buf[i+1:]
	}
}
