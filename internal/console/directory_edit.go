package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/locales"
)

// serviceForm is the edit form's content.
type serviceForm struct {
	New                                             bool
	ID, Name, Category, ProviderType                string
	Municipality, Address, Lat, Lon, Phone, Website string
	Hours, Languages, WhoCanUse                     string
	// Descriptions are one per language people read, Italian (required)
	// first.
	Descriptions    []serviceDescription
	Sample, Retired bool
}

// serviceDescription is the description in one language.
type serviceDescription struct{ Lang, Text string }

// descriptionsOf lays out a description field per person-facing language.
func descriptionsOf(get func(lang string) string) []serviceDescription {
	var out []serviceDescription
	for _, l := range locales.Tags() {
		out = append(out, serviceDescription{Lang: l, Text: get(l)})
	}
	return out
}

func formOf(s directory.Service) serviceForm {
	f := serviceForm{ID: s.ID, Name: s.Name, Category: string(s.Category), ProviderType: string(s.ProviderType),
		Municipality: s.Municipality, Address: s.Address, Phone: s.Phone, Website: s.Website, Hours: s.Hours,
		Languages: strings.Join(s.Languages, ","), WhoCanUse: s.WhoCanUse,
		Descriptions: descriptionsOf(func(l string) string { return s.Descriptions[l] }),
		Sample:       s.Sample, Retired: s.Retired}
	if s.Latitude != 0 || s.Longitude != 0 {
		f.Lat, f.Lon = strconv.FormatFloat(s.Latitude, 'f', -1, 64), strconv.FormatFloat(s.Longitude, 'f', -1, 64)
	}
	return f
}

func (c *Console) renderEdit(w http.ResponseWriter, r *http.Request, q *req, status int, f serviceForm, problems []string) {
	c.render(w, r, q, status, "service", map[string]any{
		"F": f, "Errors": problems, "Categories": directory.Categories(),
		"Providers": []directory.ProviderType{directory.ProviderPublic, directory.ProviderPrivate, directory.ProviderThirdSector},
	})
}

func (c *Console) dirEdit(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	id := r.URL.Query().Get("id")
	if id == "" {
		c.renderEdit(w, r, q, http.StatusOK, serviceForm{New: true, Descriptions: descriptionsOf(func(string) string { return "" })}, nil)
		return
	}
	s, err := c.cfg.Directory.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	c.renderEdit(w, r, q, http.StatusOK, formOf(s), nil)
}
