package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/prils-lazio/presidio/internal/store"
)

// poll long-polls getUpdates. go-telegram/bot's own poller confirms an
// offset before its handlers have run, so Presidio polls itself: the offset
// moves past an update only after the update is in the inbox. A failure
// before that leaves the offset where it was and Telegram sends the update
// again; the inbox keeps one copy.
//
// Update ids are not a clock: after a week without updates Telegram picks
// the next id at random, possibly lower than any seen, and getUpdates
// treats every id below the offset as confirmed. So the offset is only
// ever "one past the batch just stored" in the call that confirms that
// batch; once a call comes back empty (everything confirmed), and at every
// start, polling goes on with no offset, which returns whatever Telegram
// still holds, whatever its ids.
func (r *Runtime) poll(ctx context.Context) {
	defer close(r.pollDone)
	var offset int64
	for attempt := 0; ctx.Err() == nil; {
		r.feed.room(ctx)
		raws, err := r.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			attempt++
			r.log.Warn("getUpdates failed, retrying", "attempt", attempt, "error", err)
			sleep(ctx, min(backoff(attempt), 5*time.Second))
			continue
		}
		attempt = 0
		if len(raws) == 0 {
			offset = 0
			continue
		}
		entries := make([]store.InboxEntry, 0, len(raws))
		var next int64
		for _, raw := range raws {
			e, err := inboxEntry(raw)
			if err != nil {
				r.log.Error("skipping an update without an update_id", "error", err)
				continue
			}
			entries = append(entries, e)
			next = max(next, e.UpdateID+1)
		}
		if err := r.intake(ctx, entries); err != nil {
			return
		}
		offset = next
	}
}

// intake persists received updates (retrying until it can, or until ctx
// ends) and offers them to the lanes.
func (r *Runtime) intake(ctx context.Context, entries []store.InboxEntry) error {
	for attempt := 1; ; attempt++ {
		err := r.store.AddToInbox(ctx, entries)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.log.Warn("store error, retrying", "doing", "persisting received updates", "attempt", attempt, "error", err)
		sleep(ctx, min(backoff(attempt), 5*time.Second))
	}
	r.m.received.Add(uint64(len(entries)))
	r.feed.offer(entries, true)
	return nil
}

// inboxEntry reads the update id and lane of a raw update.
func inboxEntry(raw json.RawMessage) (store.InboxEntry, error) {
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return store.InboxEntry{}, fmt.Errorf("decoding update: %w", err)
	}
	if u.ID <= 0 {
		return store.InboxEntry{}, fmt.Errorf("update has no update_id")
	}
	lane, _ := laneOf(&u)
	return store.NewInboxEntry(u.ID, lane, append([]byte(nil), raw...)), nil
}

func (r *Runtime) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{
		"offset":          offset, // 0: no offset (see poll)
		"timeout":         int(r.cfg.PollTimeout.Seconds()),
		"limit":           100,
		"allowed_updates": AllowedUpdates,
	})
	url := strings.TrimRight(r.cfg.APIURL, "/") + "/bot" + r.cfg.Token + "/getUpdates"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", redact(err, r.cfg.Token))
	}
	req.Header.Set("Content-Type", "application/json")
	client := *r.cfg.HTTPClient
	client.Timeout = r.cfg.PollTimeout + 10*time.Second
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", redact(err, r.cfg.Token))
	}
	defer resp.Body.Close()
	var env struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d, unreadable answer: %w", resp.StatusCode, err)
	}
	if !env.OK {
		return nil, fmt.Errorf("getUpdates: %d %s", env.ErrorCode, env.Description)
	}
	return env.Result, nil
}

// redact removes the bot token from an error (URLs carry it).
func redact(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), token, "<token>"))
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}
