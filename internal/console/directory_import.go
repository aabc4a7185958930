package console

import (
	"errors"
	"net/http"

	"github.com/prils-lazio/presidio/internal/directory"
)

func (c *Console) dirImport(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		c.render(w, r, q, http.StatusBadRequest, "import", map[string]any{"Errors": []string{c.cfg.Texts.Text(q.Lang, "console.import.no_file", nil)}})
		return
	}
	defer file.Close()
	name := uploadName(hdr.Filename)
	res, err := c.cfg.Directory.Import(r.Context(), name, file)
	if err != nil {
		var fe directory.FileErrors
		if !errors.As(err, &fe) {
			c.internal(w, r, q, err)
			return
		}
		var problems []string
		for _, e := range fe {
			problems = append(problems, e.Error())
		}
		c.render(w, r, q, http.StatusUnprocessableEntity, "import", map[string]any{"Errors": problems})
		return
	}
	_ = c.audit(r.Context(), r, q, AuditEntry{Action: ActionDirectoryCSV, Target: name})
	c.render(w, r, q, http.StatusOK, "import", map[string]any{
		"Result": c.cfg.Texts.Text(q.Lang, "console.import.done", map[string]any{"New": res.New, "Updated": res.Updated, "Unchanged": res.Unchanged}),
	})
}
