package telegramtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/go-telegram/bot/models"
)

// Webhook delivery retries, bounded so tests stay fast.
const (
	webhookTries      = 5
	webhookFirstDelay = 50 * time.Millisecond
	webhookMaxDelay   = time.Second
	webhookTimeout    = 10 * time.Second
)

// webhookState is the webhook configuration and delivery record. Guarded by
// Server.mu.
type webhookState struct {
	url        string
	secret     string
	maxConn    int
	gen        int64 // changes with every setWebhook/deleteWebhook
	lastErrAt  int
	lastErrMsg string
	delivered  int
	dropped    int
}

var webhookClient = &http.Client{Timeout: webhookTimeout}

// setWebhook: url (empty removes the webhook), secret_token,
// drop_pending_updates, allowed_updates, max_connections. Plain http URLs
// are accepted (Telegram requires https).
func setWebhook(s *Server, c *call) (any, *apiError) {
	raw := c.p.str("url")
	if raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, badRequest("bad webhook: invalid webhook URL specified")
		}
	}
	secret := c.p.str("secret_token")
	if len(secret) > 256 {
		return nil, badRequest("secret token is too long")
	}
	for _, r := range secret {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return nil, badRequest("secret token contains unallowed characters")
		}
	}
	drop, e := c.p.bool("drop_pending_updates")
	if e != nil {
		return nil, e
	}
	maxConn, e := c.p.int("max_connections")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.setAllowedLocked(c); e != nil {
		return nil, e
	}
	if drop {
		s.updates = nil
	}
	if maxConn <= 0 {
		maxConn = 40
	}
	s.webhook.url, s.webhook.secret, s.webhook.maxConn = raw, secret, maxConn
	s.webhook.gen++
	broadcast(&s.updCh)
	return true, nil
}

// deleteWebhook: drop_pending_updates.
func deleteWebhook(s *Server, c *call) (any, *apiError) {
	drop, e := c.p.bool("drop_pending_updates")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if drop {
		s.updates = nil
	}
	s.webhook.url, s.webhook.secret = "", ""
	s.webhook.gen++
	broadcast(&s.updCh)
	return true, nil
}

func getWebhookInfo(s *Server, _ *call) (any, *apiError) {
	info := s.WebhookInfo()
	return &info, nil
}

// WebhookInfo is what getWebhookInfo answers now: the URL (empty without a
// webhook), pending updates and the last delivery error.
func (s *Server) WebhookInfo() models.WebhookInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := models.WebhookInfo{
		URL:                s.webhook.url,
		PendingUpdateCount: len(s.updates),
		LastErrorDate:      s.webhook.lastErrAt,
		LastErrorMessage:   s.webhook.lastErrMsg,
	}
	if s.webhook.url != "" {
		info.MaxConnections = s.webhook.maxConn
		info.IPAddress = "127.0.0.1"
		for k := range s.allowed {
			info.AllowedUpdates = append(info.AllowedUpdates, k)
		}
		sort.Strings(info.AllowedUpdates)
	}
	return info
}

// WebhookDeliveries returns how many updates were delivered to the webhook
// (2xx answer) and how many were dropped after all retries failed.
func (s *Server) WebhookDeliveries() (delivered, dropped int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.delivered, s.webhook.dropped
}

// webhookLoop delivers queued updates one at a time, in order, while a
// webhook is set: POST of the update JSON with the
// X-Telegram-Bot-Api-Secret-Token header when a secret is set. A non-2xx
// answer or a network error is retried with backoff (50 ms doubling up to
// 1 s, 5 tries in all); then the update is dropped and the error reported
// by getWebhookInfo. An update leaves the queue once delivered or dropped.
func (s *Server) webhookLoop() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		s.dropFilteredLocked()
		if s.webhook.url == "" || len(s.updates) == 0 {
			ch := s.updCh
			s.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-s.done:
				return
			}
		}
		u := s.updates[0]
		target, secret, gen := s.webhook.url, s.webhook.secret, s.webhook.gen
		s.mu.Unlock()

		ok, stale := false, false
		delay := webhookFirstDelay
		for try := 1; try <= webhookTries; try++ {
			err := s.postUpdate(target, secret, u.raw)
			if err == nil {
				ok = true
				break
			}
			s.mu.Lock()
			s.webhook.lastErrAt, s.webhook.lastErrMsg = int(now().Unix()), err.Error()
			stale = s.webhook.gen != gen
			s.mu.Unlock()
			if stale || try == webhookTries {
				break
			}
			select {
			case <-time.After(delay):
			case <-s.done:
				return
			}
			delay = min(delay*2, webhookMaxDelay)
		}
		select {
		case <-s.done:
			return
		default:
		}
		if stale {
			continue // the webhook changed: start over with the new one
		}
		s.mu.Lock()
		if len(s.updates) > 0 && s.updates[0].id == u.id {
			s.updates = s.updates[1:]
		}
		if ok {
			s.webhook.delivered++
		} else {
			s.webhook.dropped++
		}
		s.mu.Unlock()
	}
}

func (s *Server) postUpdate(target, secret string, raw []byte) error {
	ctx, cancel := context.WithTimeout(s.baseCtx, webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := webhookClient.Do(req)
	if err != nil {
		return fmt.Errorf("Connection refused: %v", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("Wrong response from the webhook: %s", resp.Status)
	}
	return nil
}
