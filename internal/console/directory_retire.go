package console

import (
	"errors"
	"net/http"

	"github.com/prils-lazio/presidio/internal/store"
)

func (c *Console) dirRetire(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	id := r.PostFormValue("id")
	if err := c.cfg.Directory.Retire(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			c.fail(w, r, q, http.StatusNotFound)
			return
		}
		c.internal(w, r, q, err)
		return
	}
	_ = c.audit(r.Context(), r, q, AuditEntry{Action: ActionServiceRetire, Target: id})
	http.Redirect(w, r, c.cfg.Prefix+"/directory?done=retired", http.StatusSeeOther)
}
