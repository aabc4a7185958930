package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/store"
)

// dirSave creates or edits one service from the form, read by the import's
// own code (directory.ParseForm: the same checks and length caps), all or
// nothing: with any problem the form comes back as typed (422). An empty
// description field removes that language; languages the form does not
// show (from an import) are kept.
func (c *Console) dirSave(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := serviceForm{New: v("new") == "1", ID: v("id"), Name: v("name"), Category: v("category"), ProviderType: v("provider_type"),
		Municipality: v("municipality"), Address: v("address"), Lat: v("lat"), Lon: v("lon"), Phone: v("phone"), Website: v("website"),
		Hours: v("hours"), Languages: v("languages"), WhoCanUse: v("who_can_use"),
		Descriptions: descriptionsOf(func(l string) string { return v("description_" + l) }),
		Sample:       v("sample") == "1", Retired: v("retired") == "1"}
	fields := map[string]string{"id": f.ID, "name": f.Name, "category": f.Category, "provider_type": f.ProviderType,
		"municipality": f.Municipality, "address": f.Address, "latitude": f.Lat, "longitude": f.Lon, "phone": f.Phone,
		"website": f.Website, "hours": f.Hours, "languages": f.Languages, "who_can_use": f.WhoCanUse,
		"sample": boolField(f.Sample), "retired": boolField(f.Retired)}
	for _, d := range f.Descriptions {
		fields["description_"+d.Lang] = d.Text
	}
	s, problems := directory.ParseForm(fields)
	if s.Descriptions == nil {
		s.Descriptions = map[string]string{}
	}
	existing, err := c.cfg.Directory.Get(r.Context(), f.ID)
	switch {
	case err == nil && f.New:
		problems = append(problems, c.cfg.Texts.Text(q.Lang, "console.service.id_taken", nil))
	case err == nil:
		for l, d := range existing.Descriptions { // keep the languages the form does not show (an import's)
			if _, shown := fields["description_"+l]; !shown {
				s.Descriptions[l] = d
			}
		}
	case !errors.Is(err, store.ErrNotFound):
		c.internal(w, r, q, err)
		return
	}
	if len(problems) == 0 {
		if _, err := c.cfg.Directory.Upsert(r.Context(), []directory.Service{s}); err != nil {
			var ve *directory.ValidationError
			if !errors.As(err, &ve) {
				c.internal(w, r, q, err)
				return
			}
			problems = append(problems, ve.Problems...)
		}
	}
	if len(problems) > 0 {
		c.renderEdit(w, r, q, http.StatusUnprocessableEntity, f, problems)
		return
	}
	_ = c.audit(r.Context(), r, q, AuditEntry{Action: ActionServiceSave, Target: s.ID})
	http.Redirect(w, r, c.cfg.Prefix+"/directory?done=saved", http.StatusSeeOther)
}

func boolField(b bool) string {
	if b {
		return "1"
	}
	return ""
}
