package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/prils-lazio/presidio/internal/cases"
)

func (c *Console) caseClose(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	// The outcome is a chosen code, or the counsellor's words for "other".
	outcome := strings.TrimSpace(r.PostFormValue("outcome"))
	if code := r.PostFormValue("outcome_code"); slices.Contains(cases.Outcomes, code) {
		outcome = code
	}
	if outcome == "" {
		c.render(w, r, q, http.StatusBadRequest, "error", map[string]any{
			"Message": c.cfg.Texts.Text(q.Lang, "console.case.outcome_needed", nil), "Back": c.cfg.Prefix + "/cases/" + k.ID})
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseClose, Case: k.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	if _, err := c.cfg.Cases.Close(r.Context(), k.ID, outcome, q.op()); err != nil {
		c.caseError(w, r, q, err)
		return
	}
	c.backToCase(w, r, k.ID, "close")
}
