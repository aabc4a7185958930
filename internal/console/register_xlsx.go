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
	co, register, ok := c.register(w, r, q)
	if !ok {
		return
	}
	var book bytes.Buffer
	sheet, err := csvrows.CSVToSheet("register", register)
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
