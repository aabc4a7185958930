package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

func TestWebhookDelivery(t *testing.T) {
	s := newServer(t, Options{})
	var (
		mu       sync.Mutex
		got      []models.Update
		secrets  []string
		failures = 2 // the first two POSTs fail
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		secrets = append(secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if failures > 0 {
			failures--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var u models.Update
		if err := json.Unmarshal(body, &u); err != nil || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("bad webhook POST: %v %q", err, body)
		}
		got = append(got, u)
	}))
	defer hook.Close()

	s.SendText(alice, "prima") // queued before the webhook: delivered too
	if st, _, raw := postJSON(t, s, "setWebhook", map[string]any{"url": hook.URL + "/tg", "secret_token": "s3cr3t_-X"}); st != 200 {
		t.Fatalf("setWebhook: %s", raw)
	}
	if st, _, raw := postJSON(t, s, "getUpdates", nil); st != 409 || !json.Valid([]byte(raw)) {
		t.Fatalf("getUpdates with a webhook: %d %s", st, raw)
	}
	s.SendText(alice, "seconda")
	s.SendText(bob, "terza")

	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 || got[0].Message.Text != "prima" || got[1].Message.Text != "seconda" || got[2].Message.Text != "terza" {
		t.Fatalf("webhook got %+v", got)
	}
	if len(secrets) != 5 {
		t.Fatalf("POSTs = %d, want 5 (2 failures retried)", len(secrets))
	}
	for _, sec := range secrets {
		if sec != "s3cr3t_-X" {
			t.Fatalf("secret header = %q", sec)
		}
	}
	if s.PendingUpdates() != 0 {
		t.Fatalf("PendingUpdates = %d", s.PendingUpdates())
	}
	if d, dropped := s.WebhookDeliveries(); d != 3 || dropped != 0 {
		t.Fatalf("deliveries %d dropped %d", d, dropped)
	}
	info := s.WebhookInfo()
	if info.URL != hook.URL+"/tg" || info.LastErrorMessage == "" {
		t.Fatalf("WebhookInfo = %+v", info)
	}

	if st, _, _ := postJSON(t, s, "deleteWebhook", nil); st != 200 {
		t.Fatal("deleteWebhook")
	}
	if st, _, _ := postJSON(t, s, "getUpdates", nil); st != 200 {
		t.Fatalf("getUpdates after deleteWebhook: %d", st)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	s := newServer(t, Options{})
	var posts sync.WaitGroup
	posts.Add(webhookTries)
	var mu sync.Mutex
	n := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		if n <= webhookTries {
			posts.Done()
		}
		mu.Unlock()
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer hook.Close()
	postJSON(t, s, "setWebhook", map[string]any{"url": hook.URL})
	s.SendText(alice, "persa")
	posts.Wait()
	deadline := time.Now().Add(3 * time.Second)
	for s.PendingUpdates() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if _, dropped := s.WebhookDeliveries(); dropped != 1 || s.PendingUpdates() != 0 {
		t.Fatalf("dropped %d pending %d", dropped, s.PendingUpdates())
	}
	mu.Lock()
	defer mu.Unlock()
	if n != webhookTries {
		t.Fatalf("POSTs = %d, want %d", n, webhookTries)
	}
}
