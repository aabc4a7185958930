package console

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
)

// courseSave creates or edits one course from the form, with the import's
// checks (courses.ParseForm), all or nothing: with any problem nothing is
// stored and the form comes back as typed, each problem next to its field
// (422). A school may only create and edit its own site's courses. An edit
// keeps the course's enrolments, offers and waiting list; seats below the
// places already taken are refused.
func (c *Console) courseSave(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Courses == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	ctx := r.Context()
	isNew := r.PostFormValue("new") == "1"
	values := map[string]string{}
	for _, name := range courses.FormColumns() {
		values[name] = r.PostFormValue(name)
	}
	langs := personLanguages()
	for _, l := range langs {
		values["title_"+l], values["notes_"+l] = r.PostFormValue("title_"+l), r.PostFormValue("notes_"+l)
	}
	values["id"] = strings.TrimSpace(values["id"])
	if q.User.Role == RoleSchool {
		values["site"] = q.User.Site
	}
	f := newCourseForm(isNew, values, q)
	existing, err := c.cfg.Courses.Get(ctx, values["id"])
	switch {
	case err == nil && isNew:
		f.addError("", c.cfg.Texts.Text(q.Lang, "console.course.id_taken", map[string]any{"ID": values["id"]}))
	case err == nil && q.User.Role == RoleSchool && existing.Site != q.User.Site:
		c.fail(w, r, q, http.StatusNotFound) // another site's course: as if unknown
		return
	case errors.Is(err, store.ErrNotFound) && !isNew:
		c.fail(w, r, q, http.StatusNotFound)
		return
	case err != nil && !errors.Is(err, store.ErrNotFound):
		c.internal(w, r, q, err)
		return
	}
	co, problems := courses.ParseForm(values)
	for _, p := range problems {
		f.addError(p.Field, c.courseProblem(q, p))
	}
	if len(f.Errors) > 0 || len(problems) > 0 {
		c.renderCourseForm(w, r, q, http.StatusUnprocessableEntity, f)
		return
	}
	if !isNew {
		keepOtherTranslations(&co, existing, langs)
	}
	if _, err := c.cfg.Courses.Upsert(ctx, []courses.Course{co}); err != nil {
		// Seats below the places taken: refused before anything is
		// written, or (people enrolled during the save) the old seats put
		// back after it; either way the seats shown are not in force.
		var se *courses.SeatsError
		if !errors.As(err, &se) {
			c.internal(w, r, q, err)
			return
		}
		f.addError("seats", c.cfg.Texts.Text(q.Lang, "console.course.seats_taken", map[string]any{"Seats": se.Seats, "Taken": se.Taken}))
		c.renderCourseForm(w, r, q, http.StatusConflict, f)
		return
	}
	action := ActionCourseEdit
	if isNew {
		action = ActionCourseCreate
	}
	_ = c.audit(ctx, r, q, AuditEntry{Action: action, Course: co.ID})
	http.Redirect(w, r, c.cfg.Prefix+"/courses/"+co.ID+"?done=course_saved", http.StatusSeeOther)
}

// keepOtherTranslations keeps the translations of languages the form does
// not show (an import may have given e.g. title_de).
func keepOtherTranslations(co *courses.Course, old courses.Course, shown []string) {
	keep := func(dst *map[string]string, src map[string]string) {
		for l, t := range src {
			if l == "" || slices.Contains(shown, l) {
				continue
			}
			if *dst == nil {
				*dst = map[string]string{}
			}
			(*dst)[l] = t
		}
	}
	keep(&co.TitleTranslations, old.TitleTranslations)
	keep(&co.NotesTranslations, old.NotesTranslations)
}

// courseProblem says a form problem in the console's language: what is
// wrong with the field, with the importer's own words after it.
func (c *Console) courseProblem(q *req, p courses.FieldProblem) string {
	field, data := p.Field, map[string]any{}
	if l, ok := strings.CutPrefix(field, "title_"); ok {
		field, data["Lang"] = "title_translation", l
	} else if l, ok := strings.CutPrefix(field, "notes_"); ok {
		field, data["Lang"] = "notes_translation", l
	}
	if field == "" {
		field = "other"
	}
	if lang, ok := data["Lang"].(string); ok {
		data["Lang"] = c.cfg.Texts.Text(q.Lang, "console.langname."+lang, nil)
	}
	return c.cfg.Texts.Text(q.Lang, "console.course.bad."+field, data) + " (" + p.Msg + ")"
}
