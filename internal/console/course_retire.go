package console

import (
	"net/http"
)

// courseRetire retires a course (a school only its own site's): it takes
// no more sign-ups and the people enrolled, offered a seat or waiting are
// told in their language by the bot's scheduler, each once (see
// courses.Retirement). The form must carry confirm=1: retiring is not
// undone from the console.
func (c *Console) courseRetire(w http.ResponseWriter, r *http.Request, q *req) {
	co, ok := c.course(w, r, q)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "1" {
		c.render(w, r, q, http.StatusBadRequest, "error", map[string]any{
			"Message": c.cfg.Texts.Text(q.Lang, "console.course.retire_unconfirmed", nil), "Back": c.cfg.Prefix + "/courses/" + co.ID})
		return
	}
	if err := c.cfg.Courses.Retire(r.Context(), co.ID); err != nil {
		c.internal(w, r, q, err)
		return
	}
	if !co.Retired {
		_ = c.audit(r.Context(), r, q, AuditEntry{Action: ActionCourseRetire, Course: co.ID})
	}
	http.Redirect(w, r, c.cfg.Prefix+"/courses/"+co.ID+"?done=course_retired", http.StatusSeeOther)
}
