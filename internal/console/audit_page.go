package console

import (
	"net/http"
	"time"

	"github.com/prils-lazio/presidio/internal/courses"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 200

// auditPage shows the audit log newest first, a page at a time: ?before=
// (the cursor the previous page links to) starts after that entry.
func (c *Console) auditPage(w http.ResponseWriter, r *http.Request, q *req) {
	before, err := ParseAuditCursor(r.URL.Query().Get("before"))
	if err != nil {
		c.fail(w, r, q, http.StatusBadRequest)
		return
	}
	entries, next, err := c.cfg.Audit.Page(r.Context(), before, auditPageSize)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	c.render(w, r, q, http.StatusOK, "audit", map[string]any{"Entries": entries, "Next": next.String(), "Paged": !before.IsZero()})
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(courses.Location).Format("02/01/2006 15:04")
}
