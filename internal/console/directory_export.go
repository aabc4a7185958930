package console

import (
	"bytes"
	"net/http"
)

func (c *Console) dirExport(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	var buf bytes.Buffer
	if err := c.cfg.Directory.Export(r.Context(), &buf); err != nil {
		c.internal(w, r, q, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="directory.csv"`)
	_, _ = w.Write(buf.Bytes())
}
