package console

import (
	"net/http"
	"strings"

	"github.com/prils-lazio/presidio/internal/chat"
)

func (c *Console) caseReply(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	// The reply may be as long as one Telegram message; the help point's
	// signature added after it may make two, which the runtime splits.
	if text == "" || chat.TextLength(text) > chat.MaxTextLength {
		c.render(w, r, q, http.StatusBadRequest, "error", map[string]any{"Message": c.cfg.Texts.Text(q.Lang, "console.case.reply_length", nil), "Back": c.cfg.Prefix + "/cases/" + k.ID})
		return
	}
	if c.cfg.Replier == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseReply, Case: k.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	if err := c.cfg.Replier.Reply(r.Context(), k.ID, q.op(), text); err != nil {
		c.caseError(w, r, q, err)
		return
	}
	c.backToCase(w, r, k.ID, "reply")
}
