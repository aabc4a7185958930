package console

import (
	"net/http"
	"slices"

	"github.com/prils-lazio/presidio/internal/cases"
)

func (c *Console) caseList(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Cases == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	v := r.URL.Query()
	f := cases.Filter{Lang: v.Get("lang_case"), Topic: v.Get("topic"), HelpPoint: v.Get("help_point")}
	status := v.Get("status")
	if status != "" && status != "all" && status != "open" {
		if !cases.Status(status).Valid() {
			status = ""
		} else {
			f.Status = cases.Status(status)
		}
	}
	switch v.Get("urgent") {
	case "yes":
		t := true
		f.Urgent = &t
	case "no":
		t := false
		f.Urgent = &t
	}
	list, err := c.cfg.Cases.List(r.Context(), f)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	if status == "" || status == "open" {
		list = slices.DeleteFunc(list, func(k cases.Case) bool { return !k.Status.IsOpen() })
	}
	statuses := []string{"open", "all"}
	for _, s := range []cases.Status{cases.StatusNew, cases.StatusTaken, cases.StatusWaiting, cases.StatusReferred, cases.StatusClosed} {
		statuses = append(statuses, string(s))
	}
	c.render(w, r, q, http.StatusOK, "cases", map[string]any{
		"Cases": list, "Status": status, "Statuses": statuses,
		"LangCase": f.Lang, "Topic": f.Topic, "HelpPoint": f.HelpPoint, "Urgent": v.Get("urgent"),
	})
}
