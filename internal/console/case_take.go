package console

import (
	"net/http"
)

func (c *Console) caseTake(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseTake, Case: k.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	winner, won, err := c.cfg.Cases.Take(r.Context(), k.ID, q.op())
	if err != nil {
		c.caseError(w, r, q, err)
		return
	}
	if !won {
		c.render(w, r, q, http.StatusConflict, "error", map[string]any{
			"Message": c.cfg.Texts.Text(q.Lang, "console.case.taken_by", map[string]any{"Operator": winner.Name}),
			"Back":    c.cfg.Prefix + "/cases/" + k.ID})
		return
	}
	c.backToCase(w, r, k.ID, "take")
}
