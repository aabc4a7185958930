package console

import (
	"net/http"
)

// caseBridge switches the language bridge for the case (POST on=1 or
// on=0); the case's topic is told too.
func (c *Console) caseBridge(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	if c.cfg.Bridge == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	on := r.PostFormValue("on") == "1"
	target := "off"
	if on {
		target = "on"
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseBridge, Case: k.ID, Target: target}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	if err := c.cfg.Bridge.SetBridge(r.Context(), k.ID, on); err != nil {
		c.caseError(w, r, q, err)
		return
	}
	c.backToCase(w, r, k.ID, "bridge")
}
