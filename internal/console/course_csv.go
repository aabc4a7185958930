package console

import (
	"bytes"
	"fmt"
	"net/http"
)

func (c *Console) courseCSV(w http.ResponseWriter, r *http.Request, q *req) {
	co, ok := c.course(w, r, q)
	if !ok {
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionEnrolmentsCSV, Course: co.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	es, err := c.cfg.Courses.Enrolments(r.Context(), co.ID)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	var buf bytes.Buffer
	if err := writeEnrolmentsCSV(&buf, co, es); err != nil {
		c.internal(w, r, q, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="enrolments-%s.csv"`, co.ID))
	_, _ = w.Write(buf.Bytes())
}
