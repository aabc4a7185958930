package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/prils-lazio/presidio/internal/cases"
)

// languageChoices are the languages offered as checkboxes: every language
// the console can name (console.langname.*), Italian first.
func languageChoices() []string {
	var out []string
	for _, id := range TextIDs() {
		if code, ok := strings.CutPrefix(id, "console.langname."); ok {
			out = append(out, code)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		switch {
		case a == "it":
			return -1
		case b == "it":
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

// languagesPage shows and edits the languages the logged-in counsellor
// reads: new case cards (in Telegram and here) name who reads the
// person's language.
func (c *Console) languagesPage(w http.ResponseWriter, r *http.Request, q *req) {
	c.renderLanguages(w, r, q, http.StatusOK, flash(q, r.URL.Query().Get("done"), c.cfg.Texts), nil)
}

func (c *Console) renderLanguages(w http.ResponseWriter, r *http.Request, q *req, status int, flashText string, bad []string) {
	if c.cfg.Readers == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	mine, err := c.cfg.Readers.Languages(r.Context(), q.op().ID)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	choices := languageChoices()
	var others []string
	for _, l := range mine {
		if !slices.Contains(choices, l) {
			others = append(others, l)
		}
	}
	data := map[string]any{"Choices": choices, "Mine": mine, "Others": strings.Join(others, " "), "Flash": flashText}
	if len(bad) > 0 {
		data["Error"] = c.cfg.Texts.Text(q.Lang, "console.languages.bad", map[string]any{"Bad": strings.Join(bad, " ")})
	}
	c.render(w, r, q, status, "languages", data)
}

// languagesSave records the checked languages and the other codes typed.
func (c *Console) languagesSave(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Readers == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		c.fail(w, r, q, http.StatusBadRequest)
		return
	}
	langs, bad := cases.ParseLanguages(strings.Join(r.PostForm["lang"], " ") + " " + r.PostFormValue("others"))
	if len(bad) > 0 {
		c.renderLanguages(w, r, q, http.StatusBadRequest, "", bad)
		return
	}
	if err := c.cfg.Readers.SetLanguages(r.Context(), q.op(), langs); err != nil {
		c.internal(w, r, q, err)
		return
	}
	http.Redirect(w, r, c.cfg.Prefix+"/languages?done=languages", http.StatusSeeOther)
}
