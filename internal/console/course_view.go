package console

import (
	"errors"
	"net/http"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
)

// course returns the course if this account may see it: a school only its
// own site's (another site's is "not found", so IDs do not leak).
func (c *Console) course(w http.ResponseWriter, r *http.Request, q *req) (courses.Course, bool) {
	return c.courseByID(w, r, q, r.PathValue("id"))
}

// courseByID is course for an ID given otherwise (a form field).
func (c *Console) courseByID(w http.ResponseWriter, r *http.Request, q *req, id string) (courses.Course, bool) {
	if c.cfg.Courses == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return courses.Course{}, false
	}
	co, err := c.cfg.Courses.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && q.User.Role == RoleSchool && co.Site != q.User.Site) {
		c.fail(w, r, q, http.StatusNotFound)
		return co, false
	}
	if err != nil {
		c.internal(w, r, q, err)
		return co, false
	}
	return co, true
}

func (c *Console) coursePage(w http.ResponseWriter, r *http.Request, q *req) {
	co, ok := c.course(w, r, q)
	if !ok {
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionEnrolmentsView, Course: co.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	n, err := c.cfg.Courses.Counts(r.Context(), co.ID)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	es, err := c.cfg.Courses.Enrolments(r.Context(), co.ID)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	c.render(w, r, q, http.StatusOK, "course", map[string]any{"Course": co, "Counts": n, "Enrolments": es, "Weekdays": courses.FormatWeekdays(co.Weekdays),
		"People": n.Enrolled + n.Offered + n.Waiting, "Flash": flash(q, r.URL.Query().Get("done"), c.cfg.Texts)})
}
