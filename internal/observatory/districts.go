package observatory

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/csvrows"
	"github.com/prils-lazio/presidio/internal/store"
)

// Districts as data: which social-health district (distretto
// socio-sanitario, the unit of a Piano di zona) each town belongs to.
//
// The shipped table (districts.csv) lists the towns of ASL Roma 6, which
// CONTENT-FACTS confirms from a secondary source; which district each town
// is in is NOT confirmed there, so every row says certainty
// "to-be-confirmed" and the pages show it. A coordinator replaces the
// table by importing the real one (ImportDistricts): it is kept in the
// store as one document, so an import switches it whole.

//go:embed districts.csv
var shippedDistricts []byte

// districtsCollection holds the imported table, one document _id "table".
const districtsCollection = "observatory_districts"

// TownDistrict is one row of the table.
type TownDistrict struct {
	// Town is the town's code (a-z, 0-9, "-"): "albano", "monte-compatri".
	Town     string `bson:"town"`
	TownName string `bson:"town_name"`
	// District is the district's code ("rm6-2") and DistrictName its name.
	District     string `bson:"district"`
	DistrictName string `bson:"district_name"`
	// LeadTown is the code of the district's lead town (comune capofila
	// of the Piano di zona).
	LeadTown string `bson:"lead_town"`
	// Certainty is "confirmed" or "to-be-confirmed"; Source says where
	// the row comes from.
	Certainty string `bson:"certainty"`
	Source    string `bson:"source"`
}

// Districts is the town → district table.
type Districts struct {
	Rows      []TownDistrict `bson:"rows"`
	UpdatedAt time.Time      `bson:"updated_at"`
	byTown    map[string]TownDistrict
	towns     []string // longest first
	memo      sync.Map // code → town, for TownOf (one per help point, not per event)
}

var districtColumns = []string{"town", "town_name", "district", "district_name", "lead_town", "certainty", "source"}

// ParseDistricts reads the table from CSV (or, for a name ending in .xlsx,
// a workbook's first sheet) with the columns of districts.csv. Problems
// come back as "FILE:LINE: what is wrong", all of them; with any, no table.
func ParseDistricts(name string, r io.Reader) (*Districts, []error) {
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}
	cols := map[string]int{}
	d := &Districts{}
	seen := map[string]int{}
	header := func(h []string) bool {
		for i, c := range h {
			cols[strings.ToLower(strings.TrimSpace(c))] = i
		}
		ok := true
		for _, c := range districtColumns[:5] {
			if _, has := cols[c]; !has {
				fail(1, "missing column %q (columns: %s)", c, strings.Join(districtColumns, ", "))
				ok = false
			}
		}
		return ok
	}
	row := func(line int, rec []string) {
		get := func(c string) string {
			if i, ok := cols[c]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		t := TownDistrict{Town: csvrows.Slug(get("town")), TownName: get("town_name"), District: csvrows.Slug(get("district")),
			DistrictName: get("district_name"), LeadTown: csvrows.Slug(get("lead_town")), Certainty: strings.ToLower(get("certainty")), Source: get("source")}
		if t.Town == "" || t.District == "" {
			fail(line, "town and district must not be empty")
			return
		}
		if t.Certainty == "" {
			t.Certainty = "to-be-confirmed"
		}
		if t.Certainty != "confirmed" && t.Certainty != "to-be-confirmed" {
			fail(line, "certainty %q must be confirmed or to-be-confirmed", t.Certainty)
		}
		if first, dup := seen[t.Town]; dup {
			fail(line, "town %q is already on line %d", t.Town, first)
		}
		seen[t.Town] = line
		d.Rows = append(d.Rows, t)
	}
	if csvrows.IsXLSX(name) {
		csvrows.ReadXLSX(r, strings.Join(districtColumns, ","), fail, header, row)
	} else {
		csvrows.Read(r, strings.Join(districtColumns, ","), fail, header, row)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	d.index()
	return d, nil
}

// ShippedDistricts is the table Presidio ships (see the package notes).
func ShippedDistricts() *Districts {
	d, errs := ParseDistricts("districts.csv", bytes.NewReader(shippedDistricts))
	if len(errs) > 0 {
		panic(errors.Join(errs...)) // a test keeps the shipped file valid
	}
	return d
}

func (d *Districts) index() {
	d.byTown = map[string]TownDistrict{}
	d.towns = d.towns[:0]
	for _, t := range d.Rows {
		d.byTown[t.Town] = t
		d.towns = append(d.towns, t.Town)
	}
	slices.SortFunc(d.towns, func(a, b string) int { return len(b) - len(a) })
}

// TownOf finds the town a code names: a town code itself ("velletri"), a
// municipality written as a name ("Albano Laziale" → albano when the table
// has no albano-laziale), or a help point or course site whose code has
// the town as a part ("cpia-velletri", "velletri-centro"). Empty when none.
func (d *Districts) TownOf(code string) string {
	if code == "" {
		return ""
	}
	if t, ok := d.memo.Load(code); ok {
		return t.(string)
	}
	t := d.townOf(code)
	d.memo.Store(code, t)
	return t
}

func (d *Districts) townOf(code string) string {
	c := csvrows.Slug(code)
	if c == "" {
		return ""
	}
	if _, ok := d.byTown[c]; ok {
		return c
	}
	for _, t := range d.towns {
		if strings.HasPrefix(c, t+"-") || strings.HasSuffix(c, "-"+t) || strings.Contains(c, "-"+t+"-") {
			return t
		}
	}
	return ""
}

// Of returns the district of an event: of its municipality, else of its
// help point; "" when neither names a town of the table.
func (d *Districts) Of(e Event) string {
	for _, c := range []string{e.Municipality, e.HelpPoint} {
		if t := d.TownOf(c); t != "" {
			return d.byTown[t].District
		}
	}
	return ""
}

// DistrictOfTown returns the district of a town, municipality or site
// code ("" when unknown).
func (d *Districts) DistrictOfTown(code string) string {
	if t := d.TownOf(code); t != "" {
		return d.byTown[t].District
	}
	return ""
}

// List returns the districts in code order, each once, with their name,
// lead town and whether every row of theirs is confirmed.
func (d *Districts) List() []DistrictInfo {
	by := map[string]*DistrictInfo{}
	for _, t := range d.Rows {
		di := by[t.District]
		if di == nil {
			di = &DistrictInfo{ID: t.District, Name: t.DistrictName, LeadTown: t.LeadTown, Confirmed: true}
			by[t.District] = di
		}
		di.Towns = append(di.Towns, t.TownName)
		di.Confirmed = di.Confirmed && t.Certainty == "confirmed"
	}
	out := make([]DistrictInfo, 0, len(by))
	for _, di := range by {
		out = append(out, *di)
	}
	slices.SortFunc(out, func(a, b DistrictInfo) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// DistrictInfo describes one district.
type DistrictInfo struct {
	ID, Name, LeadTown string
	Towns              []string
	Confirmed          bool
}

// WriteCSV writes the table in the format ParseDistricts reads.
func (d *Districts) WriteCSV(w io.Writer) error {
	cw := csvrows.NewWriter(w)
	_ = cw.Write(districtColumns)
	for _, t := range d.Rows {
		_ = cw.Write([]string{t.Town, t.TownName, t.District, t.DistrictName, t.LeadTown, t.Certainty, t.Source})
	}
	cw.Flush()
	return cw.Error()
}

// LoadDistricts returns the imported table, or the shipped one when none
// was imported.
func LoadDistricts(ctx context.Context, st *store.Store) (*Districts, error) {
	var d Districts
	err := st.Collection(districtsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: "table"}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ShippedDistricts(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("observatory: reading the districts: %w", err)
	}
	d.index()
	return &d, nil
}

// SaveDistricts replaces the stored table whole (one document).
func SaveDistricts(ctx context.Context, st *store.Store, d *Districts) error {
	doc := bson.D{{Key: "_id", Value: "table"}, {Key: "rows", Value: d.Rows}, {Key: "updated_at", Value: time.Now().UTC()}}
	_, err := st.Collection(districtsCollection).ReplaceOne(ctx, bson.D{{Key: "_id", Value: "table"}}, doc, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("observatory: saving the districts: %w", err)
	}
	return nil
}
