package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/prils-lazio/presidio/internal/directory"
)

func (c *Console) dirList(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	v := r.URL.Query()
	editor := q.User.Role != RolePartner
	f := directory.Filter{Category: directory.Category(v.Get("category")), IncludeRetired: editor && v.Get("retired") == "1"}
	if !f.Category.Valid() {
		f.Category = ""
	}
	list, err := c.cfg.Directory.List(r.Context(), f)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	if s := strings.ToLower(strings.TrimSpace(v.Get("q"))); s != "" {
		list = slices.DeleteFunc(list, func(x directory.Service) bool {
			hay := strings.ToLower(strings.Join([]string{x.ID, x.Name, x.Municipality, x.Address, string(x.Category), x.Descriptions["it"]}, " "))
			return !strings.Contains(hay, s)
		})
	}
	c.render(w, r, q, http.StatusOK, "directory", map[string]any{
		"Services": list, "Q": v.Get("q"), "Category": string(f.Category), "Categories": directory.Categories(),
		"Retired": f.IncludeRetired, "Editor": editor, "Flash": flash(q, v.Get("done"), c.cfg.Texts),
	})
}
