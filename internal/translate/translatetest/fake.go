// Package translatetest is a small LibreTranslate-compatible service for
// tests, over real HTTP: POST /translate answers "[<target>] <text>" (so a
// test can tell a translation from its original), GET /languages lists a
// few languages. It checks the API key when one is set, and can be made to
// fail.
package translatetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Request is one /translate call the fake received.
type Request struct {
	Q, Source, Target, Format, APIKey string
}

// Server is the fake service.
type Server struct {
	*httptest.Server
	// Key, when set, is the api_key every call must carry (else 403).
	Key string

	mu       sync.Mutex
	failing  bool
	requests []Request
}

// New starts the fake; close it with Close.
func New() *Server {
	s := &Server{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /translate", s.translate)
	mux.HandleFunc("GET /languages", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []map[string]any{
			{"code": "ar", "name": "Arabic", "targets": []string{"it", "en"}},
			{"code": "it", "name": "Italian", "targets": []string{"ar", "en", "uk"}},
			{"code": "uk", "name": "Ukrainian", "targets": []string{"it", "en"}},
		})
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// Translated is what the fake answers for text translated to target.
func Translated(text, target string) string { return "[" + target + "] " + text }

// Fail makes every call fail with HTTP 500 (true) or succeed again.
func (s *Server) Fail(on bool) {
	s.mu.Lock()
	s.failing = on
	s.mu.Unlock()
}

// Requests returns the /translate calls received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) translate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	req := Request{Q: r.PostForm.Get("q"), Source: r.PostForm.Get("source"), Target: r.PostForm.Get("target"),
		Format: r.PostForm.Get("format"), APIKey: r.PostForm.Get("api_key")}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	failing := s.failing
	s.mu.Unlock()
	switch {
	case failing:
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "translation engine unavailable"})
	case s.Key != "" && req.APIKey != s.Key:
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "Invalid API key"})
	case req.Q == "" || req.Source == "" || req.Target == "":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Invalid request: missing q, source or target"})
	default:
		writeJSON(w, http.StatusOK, map[string]string{"translatedText": Translated(req.Q, req.Target)})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
