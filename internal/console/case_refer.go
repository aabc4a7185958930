package console

import (
	"net/http"
	"strings"
)

func (c *Console) caseRefer(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	svc := r.PostFormValue("service")
	if c.cfg.Directory != nil {
		if _, err := c.cfg.Directory.Get(r.Context(), svc); err != nil {
			c.render(w, r, q, http.StatusBadRequest, "error", map[string]any{"Message": c.cfg.Texts.Text(q.Lang, "console.case.refer_unknown", nil), "Back": c.cfg.Prefix + "/cases/" + k.ID})
			return
		}
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseRefer, Case: k.ID, Target: svc}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	if _, err := c.cfg.Cases.Refer(r.Context(), k.ID, svc, q.op(), strings.TrimSpace(r.PostFormValue("note"))); err != nil {
		c.caseError(w, r, q, err)
		return
	}
	c.backToCase(w, r, k.ID, "refer")
}
