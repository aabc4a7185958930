package console

import (
	"net/http"
	"slices"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/directory"
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
	var helpPoints []string
	if c.cfg.Directory != nil {
		if all, err := c.cfg.Directory.List(r.Context(), directory.Filter{}); err == nil {
			for _, s := range all {
				helpPoints = append(helpPoints, s.ID)
			}
		}
	}
	if f.HelpPoint != "" && !slices.Contains(helpPoints, f.HelpPoint) {
		helpPoints = append(helpPoints, f.HelpPoint)
	}
	c.render(w, r, q, http.StatusOK, "cases", map[string]any{
		"Cases": list, "Status": status, "Statuses": statuses,
		"Langs": languageChoices(), "Topics": Topics, "HelpPoints": helpPoints,
		"LangCase": f.Lang, "Topic": f.Topic, "HelpPoint": f.HelpPoint, "Urgent": v.Get("urgent"),
	})
}

// Topics are the topics a case can be about (the bot's topic flows, and
// "general"), offered as a filter and shown as words
// (console.topic.<topic>).
var Topics = []string{"general", "permits", "documents", "health", "work", "housing", "italian", "courses",
	"school", "family", "legal", "social", "services", "urgent"}
