// Package translate is the language bridge's client: it speaks the HTTP API
// of LibreTranslate (https://libretranslate.com, open source and
// self-hostable), POST /translate and GET /languages.
//
// What is guaranteed: a Client sends nothing anywhere unless it was built
// with a URL (New returns nil for ""), every call is bounded by Timeout, and
// every call is counted (translations and failures) when Counter is set. It
// never logs the text it translates.
package translate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/metrics"
)

// Client translates through a LibreTranslate-compatible service. Its
// methods are safe for concurrent use; a nil *Client is valid and
// translates nothing (ErrOff).
type Client struct {
	base string
	key  string
	http *http.Client
	// Counter, when set, counts calls by outcome: "ok" or "failed".
	Counter *metrics.CounterVec
}

// ErrOff is returned by a nil Client: no service is configured.
var ErrOff = errors.New("translate: no translation service configured")

// Timeout bounds one call to the service: a message never waits longer for
// its translation.
const Timeout = 8 * time.Second

// New returns a client of the service at baseURL (e.g.
// "http://127.0.0.1:5000"), sending apiKey with each request when not
// empty. An empty baseURL returns nil: the bridge is off.
func New(baseURL, apiKey string) *Client {
	baseURL = strings.TrimRight(strings.TrimSpace(baseURL), "/")
	if baseURL == "" {
		return nil
	}
	return &Client{base: baseURL, key: apiKey, http: &http.Client{Timeout: Timeout}}
}

// Translate returns text translated from source to target (language codes
// as the bot uses them: "ar", "it", "zh"; source "auto" lets the service
// detect it). Empty text, or source equal to target, returns text as it
// is without calling the service.
func (c *Client) Translate(ctx context.Context, text, source, target string) (string, error) {
	if c == nil {
		return "", ErrOff
	}
	source, target = Code(source), Code(target)
	if strings.TrimSpace(text) == "" || source == target {
		return text, nil
	}
	form := url.Values{"q": {text}, "source": {source}, "target": {target}, "format": {"text"}}
	if c.key != "" {
		form.Set("api_key", c.key)
	}
	var res struct {
		TranslatedText string `json:"translatedText"`
		Error          string `json:"error"`
	}
	err := c.call(ctx, http.MethodPost, "/translate", form, &res)
	if err == nil && res.TranslatedText == "" {
		err = errors.New("translate: the service answered an empty translation")
	}
	c.count(err)
	if err != nil {
		return "", err
	}
	return res.TranslatedText, nil
}

// Language is one language the service translates.
type Language struct {
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	Targets []string `json:"targets,omitempty"`
}

// Languages lists the languages the service offers (for a health check).
func (c *Client) Languages(ctx context.Context) ([]Language, error) {
	if c == nil {
		return nil, ErrOff
	}
	var out []Language
	if err := c.call(ctx, http.MethodGet, "/languages", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) call(ctx context.Context, method, path string, form url.Values, into any) error {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("translate: %w", err)
	}
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(r)
	if err != nil {
		return fmt.Errorf("translate: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("translate: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		return fmt.Errorf("translate: %s %s: HTTP %d %s", method, path, resp.StatusCode, e.Error)
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("translate: %s %s: the answer is not the expected JSON: %w", method, path, err)
	}
	return nil
}

func (c *Client) count(err error) {
	if c.Counter == nil {
		return
	}
	if err != nil {
		c.Counter.Inc("failed")
	} else {
		c.Counter.Inc("ok")
	}
}

// Code maps a bot language code to LibreTranslate's: the base language
// ("pt-BR" → "pt"; Chinese variants keep their script), Filipino as
// Tagalog ("tl"), and "" as "auto" (the service detects it).
func Code(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if lang == "" {
		return "auto"
	}
	if base, _, ok := strings.Cut(lang, "-"); ok && base != "zh" {
		return base
	}
	if lang == "fil" || lang == "tl" {
		return "tl"
	}
	return lang
}
