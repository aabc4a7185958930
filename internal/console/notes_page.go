package console

import (
	"net/http"
	"strings"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/directory"
)

func (c *Console) notesPage(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Notes == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	data := map[string]any{"Flash": ""}
	if r.URL.Query().Get("done") == "sent" {
		data["Flash"] = c.cfg.Texts.Text(q.Lang, "console.notes.sent", nil)
	}
	if q.User.Role != RolePartner {
		if err := c.audit(r.Context(), r, q, AuditEntry{Action: "notes.view"}); err != nil {
			c.internal(w, r, q, err)
			return
		}
		notes, err := c.cfg.Notes.Recent(r.Context(), 200)
		if err != nil {
			c.internal(w, r, q, err)
			return
		}
		data["Notes"] = notes
	}
	if q.User.Role != RoleOperator {
		data["CanSend"] = true
		if c.cfg.Directory != nil {
			hp, err := c.cfg.Directory.List(r.Context(), directory.Filter{})
			if err != nil {
				c.internal(w, r, q, err)
				return
			}
			data["HelpPoints"] = hp
		}
	}
	c.render(w, r, q, http.StatusOK, "notes", data)
}

func (c *Console) noteSend(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Notes == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	hp := strings.TrimSpace(r.PostFormValue("help_point"))
	if text == "" || len(text) > cases.MaxTextLength || hp == "" || len(hp) > directory.MaxIDLength {
		c.render(w, r, q, http.StatusBadRequest, "error", map[string]any{"Message": c.cfg.Texts.Text(q.Lang, "console.notes.invalid", nil), "Back": c.cfg.Prefix + "/notes"})
		return
	}
	if err := c.cfg.Notes.Add(r.Context(), Note{At: c.cfg.Now(), From: q.User.Name, HelpPoint: hp, Text: text}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	_ = c.audit(r.Context(), r, q, AuditEntry{Action: ActionPartnerNote, Target: hp})
	http.Redirect(w, r, c.cfg.Prefix+"/notes?done=sent", http.StatusSeeOther)
}
