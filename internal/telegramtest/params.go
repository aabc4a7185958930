package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxBody bounds a request body; Telegram's own limit for uploads is 50 MB.
const maxBody = 50 << 20

// params holds the parameters of one request, whatever their encoding, as
// raw strings: a form field as sent, a JSON string unquoted, any other JSON
// value as its JSON text. Nested objects (reply_markup, entities,
// allowed_updates…) are thus always JSON text, which is how
// github.com/go-telegram/bot sends them in multipart fields.
type params map[string]string

// upload is a file sent in a multipart request.
type upload struct {
	name string
	data []byte
}

// parseParams merges query-string parameters with the body (multipart,
// urlencoded or JSON; the body wins on conflicts). files lists the
// multipart fields that were file uploads, with their name and content.
func parseParams(r *http.Request) (p params, files map[string]upload, err error) {
	p = params{}
	files = map[string]upload{}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			p[k] = vs[0]
		}
	}
	if r.Body == nil {
		return p, files, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, nil, errors.New("can't read request body")
	}
	if len(body) > maxBody {
		return nil, nil, errors.New("request body is too big")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		// go-telegram/bot sends an empty multipart body for methods without
		// parameters (getMe…).
		return p, files, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), ctParams["boundary"])
		form, err := mr.ReadForm(maxBody)
		if err != nil {
			return nil, nil, errors.New("can't parse multipart/form-data body")
		}
		defer func() { _ = form.RemoveAll() }()
		for k, vs := range form.Value {
			if len(vs) > 0 {
				p[k] = vs[0]
			}
		}
		for k, fhs := range form.File {
			if len(fhs) == 0 {
				continue
			}
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, errors.New("can't read an uploaded file")
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, nil, errors.New("can't read an uploaded file")
			}
			files[k] = upload{name: fhs[0].Filename, data: data}
		}
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, nil, errors.New("can't parse urlencoded body")
		}
		for k, vs := range vals {
			if len(vs) > 0 {
				p[k] = vs[0]
			}
		}
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, nil, errors.New("can't parse JSON body")
		}
		for k, raw := range obj {
			raw = bytes.TrimSpace(raw)
			switch {
			case bytes.Equal(raw, []byte("null")):
			case len(raw) > 0 && raw[0] == '"':
				var str string
				if err := json.Unmarshal(raw, &str); err != nil {
					return nil, nil, fmt.Errorf("can't parse JSON field %q", k)
				}
				p[k] = str
			default:
				p[k] = string(raw)
			}
		}
	default:
		// Telegram ignores bodies it cannot read; so does the emulator.
	}
	return p, files, nil
}

// has reports whether key was sent at all.
func (p params) has(key string) bool {
	_, ok := p[key]
	return ok
}

// str returns the raw value of key, "" when absent.
func (p params) str(key string) string { return p[key] }

// int64 returns key as an integer: 0 when absent or empty, an error when it
// is not a number. JSON numbers written as 12.0 are accepted.
func (p params) int64(key string) (int64, *apiError) {
	v := strings.TrimSpace(p[key])
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err == nil {
		return n, nil
	}
	if f, ferr := strconv.ParseFloat(v, 64); ferr == nil && f == float64(int64(f)) {
		return int64(f), nil
	}
	return 0, badRequest(fmt.Sprintf("field %q must be a number", key))
}

// int is int64 narrowed to int.
func (p params) int(key string) (int, *apiError) {
	n, e := p.int64(key)
	return int(n), e
}

// float returns key as a float64 (0 when absent).
func (p params) float(key string) (float64, *apiError) {
	v := strings.TrimSpace(p[key])
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, badRequest(fmt.Sprintf("field %q must be a number", key))
	}
	return f, nil
}

// bool returns key as a boolean: true, 1 and True are true; absent, false,
// 0 and "" are false.
func (p params) bool(key string) (bool, *apiError) {
	switch strings.ToLower(strings.TrimSpace(p[key])) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, badRequest(fmt.Sprintf("field %q must be a boolean", key))
}

// json decodes key's JSON text into dst. It reports whether the key was
// present; an absent key leaves dst untouched.
func (p params) json(key string, dst any) (bool, *apiError) {
	v, ok := p[key]
	if !ok || strings.TrimSpace(v) == "" {
		return false, nil
	}
	if err := json.Unmarshal([]byte(v), dst); err != nil {
		return true, badRequest(fmt.Sprintf("can't parse %s JSON object", key))
	}
	return true, nil
}

// clone copies p (used for Sent.Params, which callers may keep).
func (p params) clone() map[string]string {
	out := make(map[string]string, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}
