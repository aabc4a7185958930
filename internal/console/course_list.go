package console

import (
	"net/http"

	"github.com/prils-lazio/presidio/internal/courses"
)

type courseRow struct {
	Course courses.Course
	Counts courses.Counts
}

func (c *Console) courseList(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Courses == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	var list []courses.Course
	var err error
	if q.User.Role == RoleSchool {
		list, err = c.cfg.Courses.ListBySite(r.Context(), q.User.Site)
	} else {
		list, err = c.cfg.Courses.List(r.Context())
	}
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	rows := make([]courseRow, 0, len(list))
	for _, co := range list {
		n, err := c.cfg.Courses.Counts(r.Context(), co.ID)
		if err != nil {
			c.internal(w, r, q, err)
			return
		}
		rows = append(rows, courseRow{co, n})
	}
	c.render(w, r, q, http.StatusOK, "courses", map[string]any{"Rows": rows})
}
