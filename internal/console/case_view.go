package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/store"
)

func (c *Console) getCase(w http.ResponseWriter, r *http.Request, q *req) (cases.Case, bool) {
	if c.cfg.Cases == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return cases.Case{}, false
	}
	k, err := c.cfg.Cases.Get(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		c.fail(w, r, q, http.StatusNotFound)
		return k, false
	}
	if err != nil {
		c.internal(w, r, q, err)
		return k, false
	}
	return k, true
}

func (c *Console) casePage(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseView, Case: k.ID}); err != nil {
		c.internal(w, r, q, err) // no audit, no personal data
		return
	}
	msgs, err := c.cfg.Cases.Messages(r.Context(), k.ID)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	var services []directory.Service
	if c.cfg.Directory != nil {
		if services, err = c.cfg.Directory.List(r.Context(), directory.Filter{}); err != nil {
			c.internal(w, r, q, err)
			return
		}
	}
	c.render(w, r, q, http.StatusOK, "case", map[string]any{
		"Case": k, "Messages": msgs, "Services": services, "Open": k.Status.IsOpen() && !k.IsErased(), "PersonExport": c.cfg.PersonExport != nil,
		"Bridge":   c.cfg.Bridge != nil && k.Lang != "" && k.Lang != "it",
		"Outcomes": cases.Outcomes,
		"Flash":    flash(q, r.URL.Query().Get("done"), c.cfg.Texts),
	})
}

func flash(q *req, done string, t Texts) string {
	switch done {
	case "reply", "note", "take", "close", "refer", "saved", "retired", "bridge", "languages", "course_saved", "course_retired":
		return t.Text(q.Lang, "console.done."+done, nil)
	}
	return ""
}

func (c *Console) backToCase(w http.ResponseWriter, r *http.Request, id, done string) {
	http.Redirect(w, r, c.cfg.Prefix+"/cases/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
}

// caseError shows the case errors operators can act on; the rest is 500.
func (c *Console) caseError(w http.ResponseWriter, r *http.Request, q *req, err error) {
	id := ""
	switch {
	case errors.Is(err, cases.ErrClosed):
		id = "console.case.error_closed"
	case errors.Is(err, cases.ErrErased):
		id = "console.case.error_erased"
	case errors.Is(err, cases.ErrBusy):
		id = "console.case.error_busy"
	case errors.Is(err, store.ErrNotFound):
		c.fail(w, r, q, http.StatusNotFound)
		return
	default:
		var ve *cases.ValidationError
		if !errors.As(err, &ve) {
			c.internal(w, r, q, err)
			return
		}
		id = "console.case.error_invalid"
	}
	c.render(w, r, q, http.StatusConflict, "error", map[string]any{"Message": c.cfg.Texts.Text(q.Lang, id, nil), "Back": c.cfg.Prefix + "/cases/" + r.PathValue("id")})
}
