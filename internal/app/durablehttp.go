package app

import (
	"net/http"

	"github.com/prils-lazio/presidio/internal/store"
)

// durableWrites makes a change the console reports as
// done survive a power cut: before the answer to any request that may
// write (every method but GET and HEAD) leaves, the store's writes are
// synced to the disk (store.Durable; a no-op on MongoDB). If the sync
// fails the answer is a 503: the change may be undone, so it is not
// reported as done.
func durableWrites(st *store.Store, notSaved func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&syncBeforeAnswer{ResponseWriter: w, st: st, r: r, notSaved: notSaved}, r)
	})
}

// syncBeforeAnswer syncs the store when the handler starts its answer.
type syncBeforeAnswer struct {
	http.ResponseWriter
	st       *store.Store
	r        *http.Request
	synced   bool
	failed   bool
	notSaved func(*http.Request) string // the 503's text, in the console's language
}

func (w *syncBeforeAnswer) sync() {
	if w.synced {
		return
	}
	w.synced = true
	if err := w.st.Durable(w.r.Context()); err != nil {
		w.failed = true
		http.Error(w.ResponseWriter, w.notSaved(w.r), http.StatusServiceUnavailable)
	}
}

func (w *syncBeforeAnswer) WriteHeader(code int) {
	w.sync()
	if !w.failed {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *syncBeforeAnswer) Write(b []byte) (int, error) {
	w.sync()
	if w.failed {
		return len(b), nil // the 503 is the answer
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *syncBeforeAnswer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
