package console

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/prils-lazio/presidio/internal/courses"
)

// courseImport imports a course file (CSV, or XLSX by its name) from the
// console with the importer's checks, all or nothing. A school may import
// only its own site's courses: a file naming another site (by ID or name)
// is refused whole, naming each row.
func (c *Console) courseImport(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Courses == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	back := c.cfg.Prefix + "/courses"
	file, hdr, err := r.FormFile("file")
	if err != nil {
		c.render(w, r, q, http.StatusBadRequest, "import", map[string]any{"Back": back, "Errors": []string{c.cfg.Texts.Text(q.Lang, "console.import.no_file", nil)}})
		return
	}
	defer file.Close()
	name := uploadName(hdr.Filename)
	body, err := io.ReadAll(file)
	if err != nil {
		c.render(w, r, q, http.StatusBadRequest, "import", map[string]any{"Back": back, "Errors": []string{c.cfg.Texts.Text(q.Lang, "console.import.no_file", nil)}})
		return
	}
	if q.User.Role == RoleSchool {
		list, errs := courses.ParseFile(name, bytes.NewReader(body))
		var other []string
		for _, co := range list {
			if co.Site != q.User.Site {
				other = append(other, c.cfg.Texts.Text(q.Lang, "console.course.import_other_site", map[string]any{"ID": co.ID, "Site": co.Site, "Own": q.User.Site}))
			}
		}
		if len(errs) == 0 && len(other) > 0 {
			c.render(w, r, q, http.StatusForbidden, "import", map[string]any{"Back": back, "Errors": other})
			return
		}
	}
	res, err := c.cfg.Courses.Import(r.Context(), name, bytes.NewReader(body))
	if err != nil {
		var fe courses.FileErrors
		if !errors.As(err, &fe) {
			c.internal(w, r, q, err)
			return
		}
		var problems []string
		for _, e := range fe {
			problems = append(problems, e.Error())
		}
		c.render(w, r, q, http.StatusUnprocessableEntity, "import", map[string]any{"Back": back, "Errors": problems})
		return
	}
	_ = c.audit(r.Context(), r, q, AuditEntry{Action: ActionCourseImport, Target: name})
	c.render(w, r, q, http.StatusOK, "import", map[string]any{"Back": back,
		"Result": c.cfg.Texts.Text(q.Lang, "console.import.done", map[string]any{"New": res.New, "Updated": res.Updated, "Unchanged": res.Unchanged}),
	})
}

// uploadName is the file name of an upload without any folder a browser
// sent with it.
func uploadName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		return name[i+1:]
	}
	return name
}
