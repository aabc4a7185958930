package console

import (
	"net/http"
	"strings"
)

func (c *Console) caseClose(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseClose, Case: k.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	if _, err := c.cfg.Cases.Close(r.Context(), k.ID, strings.TrimSpace(r.PostFormValue("outcome")), q.op()); err != nil {
		c.caseError(w, r, q, err)
		return
	}
	c.backToCase(w, r, k.ID, "close")
}
