package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/locales"
)

// courseField is one field of the course form: Name is the import column
// it fills (so the form and a CSV file are read by the same code).
type courseField struct {
	Name, Value string
	// Long fields are text areas.
	Long bool
	// Fixed fields are shown and sent but cannot be changed (a school's
	// own site).
	Fixed bool
	// Lang is the language of a translation field ("" for the others).
	Lang        string
	Placeholder string
	Errors      []string
}

// courseForm is the course form's content: the fields as typed (or as
// stored, when editing), with the problems found next to each.
type courseForm struct {
	New    bool
	ID     string
	Fields []courseField
	// Translations are title_<lang> and notes_<lang> for every language
	// people read but Italian.
	Translations []courseField
	// Errors are the problems about no one field.
	Errors []string
}

// personLanguages are the languages a course's text may be translated to:
// every language of the bot but Italian (title and notes are Italian).
func personLanguages() []string {
	var out []string
	for _, l := range locales.Tags() {
		if l != "it" {
			out = append(out, l)
		}
	}
	return out
}

// courseValues are a stored course's values as the form shows them.
func courseValues(co courses.Course) map[string]string {
	v := map[string]string{
		"id": co.ID, "site": co.Site, "level": string(co.Level), "title": co.Title, "weekdays": courses.FormatWeekdays(co.Weekdays),
		"start_time": co.StartTime, "end_time": co.EndTime, "start_date": co.StartDate, "end_date": co.EndDate,
		"seats": strconv.Itoa(co.Seats), "address": co.Address, "notes": co.Notes,
	}
	if co.HasLocation() {
		v["latitude"] = strconv.FormatFloat(co.Latitude, 'f', -1, 64)
		v["longitude"] = strconv.FormatFloat(co.Longitude, 'f', -1, 64)
	}
	for l, t := range co.TitleTranslations {
		v["title_"+l] = t
	}
	for l, t := range co.NotesTranslations {
		v["notes_"+l] = t
	}
	return v
}

// newCourseForm lays out the form with these values; a school's site is
// fixed to its own.
func newCourseForm(isNew bool, values map[string]string, q *req) courseForm {
	f := courseForm{New: isNew, ID: values["id"]}
	for _, name := range courses.FormColumns() {
		if name == "id" {
			continue
		}
		fd := courseField{Name: name, Value: values[name], Long: name == "notes"}
		if name == "site" && q.User.Role == RoleSchool {
			fd.Value, fd.Fixed = q.User.Site, true
		}
		f.Fields = append(f.Fields, fd)
	}
	for _, l := range personLanguages() {
		f.Translations = append(f.Translations,
			courseField{Name: "title_" + l, Value: values["title_"+l], Lang: l},
			courseField{Name: "notes_" + l, Value: values["notes_"+l], Lang: l, Long: true})
	}
	return f
}

// addError puts a problem next to its field, or at the top.
func (f *courseForm) addError(field, msg string) {
	for _, list := range []*[]courseField{&f.Fields, &f.Translations} {
		for i := range *list {
			if (*list)[i].Name == field {
				(*list)[i].Errors = append((*list)[i].Errors, msg)
				return
			}
		}
	}
	f.Errors = append(f.Errors, msg)
}

// placeholders show the forms a field accepts.
var placeholders = map[string]bool{"site": true, "weekdays": true, "start_time": true, "end_time": true, "start_date": true, "end_date": true}

func (c *Console) renderCourseForm(w http.ResponseWriter, r *http.Request, q *req, status int, f courseForm) {
	problems := len(f.Errors) > 0
	for i := range f.Fields {
		if placeholders[f.Fields[i].Name] {
			f.Fields[i].Placeholder = c.cfg.Texts.Text(q.Lang, "console.course.placeholder."+f.Fields[i].Name, nil)
		}
		problems = problems || len(f.Fields[i].Errors) > 0
	}
	for _, t := range f.Translations {
		problems = problems || len(t.Errors) > 0
	}
	c.render(w, r, q, status, "courseform", map[string]any{"F": f, "Levels": courses.Levels(), "Problems": problems})
}

// courseEdit shows the form: empty for a new course, else the course's
// (a school only its own site's).
func (c *Console) courseEdit(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Courses == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	id := strings.TrimSpace(r.URL.Query().Get("id"))
	if id == "" {
		c.renderCourseForm(w, r, q, http.StatusOK, newCourseForm(true, map[string]string{}, q))
		return
	}
	co, ok := c.courseByID(w, r, q, id)
	if !ok {
		return
	}
	c.renderCourseForm(w, r, q, http.StatusOK, newCourseForm(false, courseValues(co), q))
}
