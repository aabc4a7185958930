package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/store"
)

func (c *Console) dirSave(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := serviceForm{New: v("new") == "1", ID: v("id"), Name: v("name"), Category: v("category"), ProviderType: v("provider_type"),
		Municipality: v("municipality"), Address: v("address"), Lat: v("lat"), Lon: v("lon"), Phone: v("phone"), Website: v("website"),
		Hours: v("hours"), Languages: v("languages"), WhoCanUse: v("who_can_use"), DescIT: v("description_it"), DescEN: v("description_en"),
		Sample: v("sample") == "1", Retired: v("retired") == "1"}
	s := directory.Service{ID: f.ID, Name: f.Name, Category: directory.Category(f.Category), ProviderType: directory.ProviderType(f.ProviderType),
		Municipality: f.Municipality, Address: f.Address, Phone: f.Phone, Website: f.Website, Hours: f.Hours, WhoCanUse: f.WhoCanUse,
		Sample: f.Sample, Retired: f.Retired, Descriptions: map[string]string{}}
	var problems []string
	existing, err := c.cfg.Directory.Get(r.Context(), f.ID)
	switch {
	case err == nil && f.New:
		problems = append(problems, c.cfg.Texts.Text(q.Lang, "console.service.id_taken", nil))
	case err == nil:
		for l, d := range existing.Descriptions { // keep the languages the form does not show
			s.Descriptions[l] = d
		}
	case !errors.Is(err, store.ErrNotFound):
		c.internal(w, r, q, err)
		return
	}
	s.Descriptions["it"] = f.DescIT
	if f.DescEN != "" {
		s.Descriptions["en"] = f.DescEN
	} else {
		delete(s.Descriptions, "en")
	}
	for l := range strings.SplitSeq(f.Languages, ",") {
		if l = strings.TrimSpace(l); l != "" {
			s.Languages = append(s.Languages, l)
		}
	}
	if f.Lat != "" || f.Lon != "" {
		lat, err1 := strconv.ParseFloat(f.Lat, 64)
		lon, err2 := strconv.ParseFloat(f.Lon, 64)
		if err1 != nil || err2 != nil {
			problems = append(problems, c.cfg.Texts.Text(q.Lang, "console.service.bad_coordinates", nil))
		}
		s.Latitude, s.Longitude = lat, lon
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
