package console

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/prils-lazio/presidio/internal/csvrows"
)

// courseXLSX is the course's register as an Excel workbook: the same
// columns and rows as enrolments.csv, one sheet "register", with the same
// checks (the school sees only its own site's courses) and the same audit
// entry.
func (c *Console) courseXLSX(w http.ResponseWriter, r *http.Request, q *req) {
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
	var text, book bytes.Buffer
	if err := writeEnrolmentsCSV(&text, co, es); err != nil {
		c.internal(w, r, q, err)
		return
	}
	sheet, err := csvrows.CSVToSheet("register", text.Bytes())
	if err == nil {
		err = csvrows.WriteXLSX(&book, []csvrows.Sheet{sheet})
	}
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="enrolments-%s.xlsx"`, co.ID))
	_, _ = w.Write(book.Bytes())
}
