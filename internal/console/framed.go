package console

import (
	"bytes"
	"html"
	"html/template"
	"net/http"
	"strings"
)

// framed serves a handler the console mounts (the announcements, the
// observatory) inside the console's own layout: the header with the menu
// of the user's role and one look and feel. An HTML answer keeps what is
// inside its <body> and its <title>; its own head and styles are dropped.
// Any other answer (CSV, JSON, a redirect) passes through as it is.
func (c *Console) framed(h http.Handler) handler {
	return func(w http.ResponseWriter, r *http.Request, q *req) {
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		if !strings.HasPrefix(rec.header.Get("Content-Type"), "text/html") || rec.status >= 300 && rec.status < 400 {
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.status)
			_, _ = w.Write(rec.body.Bytes())
			return
		}
		page := rec.body.String()
		body, ok := between(page, "<body>", "</body>")
		if !ok {
			body = page
		}
		title, _ := between(page, "<title>", "</title>")
		c.render(w, r, q, rec.status, "framed", map[string]any{
			"Title": html.UnescapeString(strings.TrimSpace(title)),
			"Body":  template.HTML(body), // the mounted handler's own escaped output
		})
	}
}

// between returns what lies between the first open and the next close.
func between(s, open, close string) (string, bool) {
	i := strings.Index(s, open)
	if i < 0 {
		return "", false
	}
	rest := s[i+len(open):]
	j := strings.Index(rest, close)
	if j < 0 {
		return rest, true
	}
	return rest[:j], true
}

// recorder keeps a mounted handler's answer for framing.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
