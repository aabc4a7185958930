package console

import (
	"net/http"
)

// personExport gives a coordinator everything kept about the person of a
// case, counsellors' internal notes included, as a JSON file: the answer
// to a formal access request. Every export is in the audit log.
func (c *Console) personExport(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	if c.cfg.PersonExport == nil || k.ChatID == 0 { // erased: nothing personal is left
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionPersonExport, Case: k.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	data, err := c.cfg.PersonExport(r.Context(), k.ChatID)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="presidio-`+k.ID+`-person.json"`)
	_, _ = w.Write(data)
}
