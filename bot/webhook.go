package bot

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"

	"github.com/prils-lazio/presidio/internal/store"
)

// maxUpdateSize bounds a webhook body; real updates are a few kilobytes.
const maxUpdateSize = 1 << 20

// ServeHTTP is the webhook endpoint. It answers 401 and stores nothing when
// X-Telegram-Bot-Api-Secret-Token is missing or wrong, 400 to a body that is
// not an update, 503 when the inbox cannot be written (Telegram then
// delivers again), and 200 once the update is in the inbox.
func (r *Runtime) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := req.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if r.cfg.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(r.cfg.WebhookSecret)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxUpdateSize+1))
	if err != nil || len(body) > maxUpdateSize || !json.Valid(body) {
		http.Error(w, "bad request: not a Telegram update", http.StatusBadRequest)
		return
	}
	e, err := inboxEntry(body)
	if err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := r.store.AddToInbox(req.Context(), []store.InboxEntry{e}); err != nil {
		r.log.Error("could not persist a webhook update; Telegram will retry", "update_id", e.UpdateID, "error", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	r.m.received.Add(1)
	if f := r.feeder(); f != nil {
		f.offer([]store.InboxEntry{e}, false)
	}
	w.WriteHeader(http.StatusOK)
}
