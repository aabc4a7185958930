package main

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// runWithin runs the command in-process and fails the test if it has not
// exited within d (before, a failed start hung forever).
func runWithin(t *testing.T, d time.Duration, vars map[string]string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(nil, env(vars), &out, &errOut) }()
	select {
	case code := <-done:
		return code, errOut.String()
	case <-time.After(d):
		t.Fatalf("the command did not exit within %v; stderr so far:\n%s", d, errOut.String())
		return 0, ""
	}
}

// Finding 6 of "Nothing lost": a busy PRESIDIO_HTTP_ADDR stops the start
// with a message naming it and a non-zero exit, instead of hanging.
func TestBusyHTTPAddressExitsWithAMessage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, stderr := runWithin(t, time.Minute, map[string]string{
		"PRESIDIO_HTTP_ADDR": ln.Addr().String(), "PRESIDIO_DATA_DIR": t.TempDir(),
	})
	if code == 0 || !strings.Contains(stderr, "PRESIDIO_HTTP_ADDR") {
		t.Fatalf("exit %d, stderr %q; want non-zero and the setting named", code, stderr)
	}
}

// A token Telegram rejects stops the start with a message, not a hang.
func TestRejectedTokenExitsWithAMessage(t *testing.T) {
	emu := telegramtest.New(telegramtest.Options{})
	defer emu.Close()
	code, stderr := runWithin(t, time.Minute, map[string]string{
		"TELEGRAM_BOT_TOKEN": "123:not-the-emulators-token", "TELEGRAM_API_URL": emu.URL(),
		"PRESIDIO_HTTP_ADDR": "127.0.0.1:0", "PRESIDIO_DATA_DIR": t.TempDir(), "OPERATOR_CHAT_ID": "-1001",
	})
	if code == 0 || !strings.Contains(stderr, "TELEGRAM_BOT_TOKEN") {
		t.Fatalf("exit %d, stderr %q; want non-zero and the token named", code, stderr)
	}
	if strings.Contains(stderr, "not-the-emulators-token") {
		t.Fatal("the token was written to the log")
	}
}
