package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

var (
	alice = User{ID: 1001, FirstName: "Alice", LanguageCode: "it"}
	bob   = User{ID: 1002, FirstName: "Bob", Username: "bob_op", LanguageCode: "en"}
)

const opsGroup = int64(-1001234567890)

// newServer starts an emulator closed at the end of the test.
func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s := New(opts)
	t.Cleanup(s.Close)
	return s
}

// newClient is the real go-telegram/bot client pointed at s.
func newClient(t *testing.T, s *Server, extra ...bot.Option) *bot.Bot {
	t.Helper()
	opts := append([]bot.Option{
		bot.WithServerURL(s.URL()),
		bot.WithSkipGetMe(),
		bot.WithErrorsHandler(func(error) {}),
	}, extra...)
	b, err := bot.New(s.Token(), opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

// envelope is a decoded Bot API answer.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// postJSON calls method with a JSON body and returns the HTTP status, the
// decoded envelope and the raw body.
func postJSON(t *testing.T, s *Server, method string, params any) (int, envelope, string) {
	t.Helper()
	body, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, s.URL()+"/bot"+s.Token()+"/"+method, "application/json", bytes.NewReader(body))
}

func do(t *testing.T, url, contentType string, body io.Reader) (int, envelope, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("answer is not JSON: %q", raw)
	}
	return resp.StatusCode, env, string(raw)
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
