package console

import (
	"net/http"
	"strings"

	"github.com/prils-lazio/presidio/internal/cases"
)

func (c *Console) caseNote(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" {
		c.backToCase(w, r, k.ID, "")
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseNote, Case: k.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	op := q.op()
	m := cases.Message{ID: "console-note-" + randomToken(10), Case: k.ID, Direction: cases.DirNote, Text: text,
		OperatorID: op.ID, OperatorName: op.Name, At: c.cfg.Now()}
	if _, err := c.cfg.Cases.AddMessage(r.Context(), m); err != nil {
		c.caseError(w, r, q, err)
		return
	}
	c.backToCase(w, r, k.ID, "note")
}
