package console

import (
	"net/http"
	"time"

	"github.com/prils-lazio/presidio/internal/courses"
)

func (c *Console) auditPage(w http.ResponseWriter, r *http.Request, q *req) {
	entries, err := c.cfg.Audit.Recent(r.Context(), 500)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	c.render(w, r, q, http.StatusOK, "audit", map[string]any{"Entries": entries})
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(courses.Location).Format("02/01/2006 15:04")
}
