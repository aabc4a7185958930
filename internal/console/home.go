package console

import (
	"net/http"
)

func (c *Console) home(w http.ResponseWriter, r *http.Request, q *req) {
	dest := "/cases"
	switch q.User.Role {
	case RoleSchool:
		dest = "/courses"
	case RolePartner:
		dest = "/directory"
	}
	http.Redirect(w, r, c.cfg.Prefix+dest, http.StatusSeeOther)
}
