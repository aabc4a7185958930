package console

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/prils-lazio/presidio/internal/courses"
)

func (c *Console) courseCSV(w http.ResponseWriter, r *http.Request, q *req) {
	co, register, ok := c.register(w, r, q)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="enrolments-%s.csv"`, co.ID))
	_, _ = w.Write(register)
}

// register checks the course (a school sees only its own site's), records
// the export in the audit log and writes the course's register as CSV; the
// CSV and XLSX downloads both start from it. On a problem it has answered
// and reports false.
func (c *Console) register(w http.ResponseWriter, r *http.Request, q *req) (courses.Course, []byte, bool) {
	co, ok := c.course(w, r, q)
	if !ok {
		return co, nil, false
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionEnrolmentsCSV, Course: co.ID}); err != nil {
		c.internal(w, r, q, err)
		return co, nil, false
	}
	es, err := c.cfg.Courses.Enrolments(r.Context(), co.ID)
	if err != nil {
		c.internal(w, r, q, err)
		return co, nil, false
	}
	var buf bytes.Buffer
	if err := writeEnrolmentsCSV(&buf, co, es); err != nil {
		c.internal(w, r, q, err)
		return co, nil, false
	}
	return co, buf.Bytes(), true
}
