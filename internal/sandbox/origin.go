package sandbox

import (
	"mime"
	"net/http"
	"net/url"
)

// jsonFromPage guards the sandbox's POST API against other web sites: a
// page elsewhere can make the browser post a form (any content type but
// JSON) to 127.0.0.1 without the person knowing. Only a JSON body from the
// sandbox's own page is accepted: Content-Type application/json (which a
// cross-site form cannot send without a CORS preflight the sandbox never
// grants), and when the browser says where the request comes from (Origin,
// Sec-Fetch-Site), it must be this very host.
func jsonFromPage(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != "application/json" {
			http.Error(w, "the body must be JSON (Content-Type: application/json)", http.StatusUnsupportedMediaType)
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			u, err := url.Parse(o)
			if err != nil || u.Host != r.Host {
				http.Error(w, "cross-origin requests are refused", http.StatusForbidden)
				return
			}
		}
		switch r.Header.Get("Sec-Fetch-Site") {
		case "", "same-origin", "none":
		default:
			http.Error(w, "cross-origin requests are refused", http.StatusForbidden)
			return
		}
		h(w, r)
	}
}
