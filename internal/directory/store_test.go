package directory

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/catalogue"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// newDirectory opens a real store with a directory whose clock the test
// moves by hand.
func newDirectory(t *testing.T) (*Directory, *store.Store, *time.Time) {
	t.Helper()
	st := storetest.Open(t)
	d := New(st)
	clock := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	d.now = func() time.Time { return clock }
	return d, st, &clock
}

// rawDocs reads the collection as stored, bypassing any cache.
func rawDocs(t *testing.T, st *store.Store) []bson.M {
	t.Helper()
	coll, _, err := catalogue.New(st, collectionName).Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cur, err := coll.Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.M
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(docs, func(a, b bson.M) int { return strings.Compare(a["_id"].(string), b["_id"].(string)) })
	return docs
}

func ids(services []Service) []string {
	out := make([]string, len(services))
	for i, s := range services {
		out[i] = s.ID
	}
	return out
}

func TestImportIsAllOrNothing(t *testing.T) {
	d, st, _ := newDirectory(t)
	ctx := context.Background()
	res, err := d.Import(ctx, "good.csv", strings.NewReader(goodCSV))
	if err != nil || res != (UpsertResult{New: 2}) {
		t.Fatalf("good import: %+v, %v", res, err)
	}
	before := rawDocs(t, st)
	if len(before) != 2 {
		t.Fatalf("%d documents after the good import", len(before))
	}
	// The bad file also changes a valid existing service and adds valid
	// ones: none of that may be written.
	bad := strings.Replace(badCSV, "ok-2,Servizio due", "asl-frascati,Nome cambiato", 1)
	res, err = d.Import(ctx, "bad.csv", strings.NewReader(bad))
	var fe FileErrors
	if !errors.As(err, &fe) || res != (UpsertResult{}) {
		t.Fatalf("bad import: %+v, %v", res, err)
	}
	if len(fe) != len(badWant) || !strings.Contains(err.Error(), badWant[1]) {
		t.Errorf("bad import reported:\n%v", err)
	}
	if after := rawDocs(t, st); !reflect.DeepEqual(after, before) {
		t.Errorf("the store changed:\n before %v\n after  %v", before, after)
	}
	got, err := d.Get(ctx, "asl-frascati")
	if err != nil || got.Name != "ASL Roma 6 a Frascati (esempio)" {
		t.Errorf("Get after refused import = %+v, %v", got, err)
	}
	if _, err := d.Get(ctx, "ok-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(ok-1) = %v, want not found", err)
	}
}

func TestReimportUpdatesByID(t *testing.T) {
	d, _, clock := newDirectory(t)
	ctx := context.Background()
	first := *clock
	if _, err := d.Import(ctx, "good.csv", strings.NewReader(goodCSV)); err != nil {
		t.Fatal(err)
	}
	*clock = clock.Add(time.Hour)
	changed := strings.Replace(goodCSV, "Punto di aiuto PRILS Velletri (esempio)", `"PRILS Velletri (esempio, nuova sede)"`, 1) +
		"cpi-albano,Centro per l'impiego di Albano (esempio),work,public,Albano Laziale,,41.7296,12.6594,,,,it,,true,Lavoro.,Work.\n"
	res, err := d.Import(ctx, "changed.csv", strings.NewReader(changed))
	if err != nil || res != (UpsertResult{New: 1, Updated: 1, Unchanged: 1}) {
		t.Fatalf("re-import: %+v, %v", res, err)
	}
	v, err := d.Get(ctx, "prils-velletri")
	if err != nil || v.Name != "PRILS Velletri (esempio, nuova sede)" || !v.UpdatedAt.Equal(*clock) {
		t.Errorf("updated service = %+v, %v", v, err)
	}
	a, _ := d.Get(ctx, "asl-frascati")
	if !a.UpdatedAt.Equal(first) {
		t.Errorf("unchanged service UpdatedAt = %v, want %v (it did not change)", a.UpdatedAt, first)
	}
	all, _ := d.List(ctx, Filter{})
	if got := ids(all); !slices.Equal(got, []string{"cpi-albano", "asl-frascati", "prils-velletri"}) {
		t.Errorf("List = %v (by municipality, then name)", got)
	}
	// A row replaces the whole service: a cleared cell clears the field.
	cleared := strings.Replace(goodCSV, "https://example.org/prils", "", 1)
	if _, err := d.Import(ctx, "cleared.csv", strings.NewReader(cleared)); err != nil {
		t.Fatal(err)
	}
	if v, _ := d.Get(ctx, "prils-velletri"); v.Website != "" || v.Name != "Punto di aiuto PRILS Velletri (esempio)" {
		t.Errorf("after re-import: %+v", v)
	}
}

func TestRetire(t *testing.T) {
	d, _, _ := newDirectory(t)
	ctx := context.Background()
	a, b := valid("asl-frascati"), valid("asl-frascati-2")
	if _, err := d.Upsert(ctx, []Service{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := d.Retire(ctx, "asl-frascati"); err != nil {
		t.Fatal(err)
	}
	if err := d.Retire(ctx, "asl-frascati"); err != nil {
		t.Errorf("retiring twice: %v", err)
	}
	if err := d.Retire(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Retire(unknown) = %v", err)
	}
	if l, _ := d.List(ctx, Filter{}); !slices.Equal(ids(l), []string{"asl-frascati-2"}) {
		t.Errorf("List without retired = %v", ids(l))
	}
	if l, _ := d.List(ctx, Filter{IncludeRetired: true}); len(l) != 2 {
		t.Errorf("List with retired = %v", ids(l))
	}
	if n, _ := d.Nearest(ctx, frascatiLat, frascatiLon, "", 0); len(n) != 1 || n[0].ID != "asl-frascati-2" {
		t.Errorf("Nearest returned a retired service: %+v", n)
	}
	if s, err := d.Get(ctx, "asl-frascati"); err != nil || !s.Retired {
		t.Errorf("Get(retired) = %+v, %v", s, err)
	}
	// Upserting it again as not retired brings it back.
	if res, err := d.Upsert(ctx, []Service{a}); err != nil || res.Updated != 1 {
		t.Fatalf("reinstating: %+v, %v", res, err)
	}
	if l, _ := d.List(ctx, Filter{}); len(l) != 2 {
		t.Errorf("after reinstating: %v", ids(l))
	}
}

func TestUpsertValidatesEverythingFirst(t *testing.T) {
	d, st, _ := newDirectory(t)
	ctx := context.Background()
	bad := valid("bad")
	bad.Website = "ftp://example.org"
	_, err := d.Upsert(ctx, []Service{valid("good"), bad, valid("good")})
	if err == nil || !strings.Contains(err.Error(), `website "ftp://example.org"`) || !strings.Contains(err.Error(), `"good" appears twice`) {
		t.Errorf("Upsert = %v", err)
	}
	if docs := rawDocs(t, st); len(docs) != 0 {
		t.Errorf("%d documents written", len(docs))
	}
}

func TestNearestAndFilters(t *testing.T) {
	d, _, _ := newDirectory(t)
	ctx := context.Background()
	at := func(id, town string, lat, lon float64, c Category) Service {
		s := valid(id)
		s.Municipality, s.Latitude, s.Longitude, s.Category = town, lat, lon, c
		return s
	}
	helpline := valid("numero-112")
	helpline.Municipality, helpline.Latitude, helpline.Longitude = "", 0, 0
	helpline.Category, helpline.Phone = CategoryUrgentHelp, "112"
	services := []Service{
		at("asl-velletri", "Velletri", velletriLat, velletriLon, CategoryHealth),
		at("asl-ciampino", "Ciampino", ciampinoLat, ciampinoLon, CategoryHealth),
		at("prils-frascati", "Frascati", frascatiLat, frascatiLon, CategoryItalianCourses),
		at("asl-grottaferrata", "Grottaferrata", grottaferrataLat, grottaferrataLon, CategoryHealth),
		at("asl-frascati", "Frascati", frascatiLat, frascatiLon, CategoryHealth),
		helpline,
	}
	if _, err := d.Upsert(ctx, services); err != nil {
		t.Fatal(err)
	}
	// Piazza San Pietro in Frascati, a few hundred metres from the centre.
	near, err := d.Nearest(ctx, 41.8083, 12.6771, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range near {
		got = append(got, n.ID)
	}
	want := []string{"asl-frascati", "prils-frascati", "asl-grottaferrata", "asl-ciampino", "asl-velletri"}
	if !slices.Equal(got, want) {
		t.Errorf("Nearest order = %v, want %v", got, want)
	}
	for i, n := range near {
		if i > 0 && n.Metres < near[i-1].Metres {
			t.Errorf("distances not ascending: %v", near)
		}
	}
	if m := near[0].Metres; m < 100 || m > 500 {
		t.Errorf("Frascati centre at %.0f m", m)
	}
	if m := near[2].Metres; m < 2000 || m > 3000 {
		t.Errorf("Grottaferrata at %.0f m", m)
	}
	health, _ := d.Nearest(ctx, 41.8083, 12.6771, CategoryHealth, 2)
	if len(health) != 2 || health[0].ID != "asl-frascati" || health[1].ID != "asl-grottaferrata" {
		t.Errorf("Nearest health, 2 = %+v", health)
	}
	// From Velletri the order turns around.
	if v, _ := d.Nearest(ctx, velletriLat, velletriLon, CategoryHealth, 1); len(v) != 1 || v[0].ID != "asl-velletri" || v[0].Metres != 0 {
		t.Errorf("Nearest from Velletri = %+v", v)
	}
	if u, _ := d.Nearest(ctx, frascatiLat, frascatiLon, CategoryUrgentHelp, 0); len(u) != 0 {
		t.Errorf("a service without coordinates was returned: %+v", u)
	}
	if _, err := d.Nearest(ctx, 0, 0, "salute", 1); err == nil {
		t.Error("unknown category accepted")
	}
	if l, _ := d.List(ctx, Filter{Category: CategoryHealth, Municipality: "frascati"}); !slices.Equal(ids(l), []string{"asl-frascati"}) {
		t.Errorf("List(health, frascati) = %v", ids(l))
	}
	if l, _ := d.List(ctx, Filter{Category: CategoryUrgentHelp}); !slices.Equal(ids(l), []string{"numero-112"}) {
		t.Errorf("List(urgent-help) = %v", ids(l))
	}
}

// Lookups are answered from memory; the directory's own writes are seen at
// once, another process's within CacheMaxAge (or after Invalidate).
func TestLookupsUseTheCache(t *testing.T) {
	d, st, _ := newDirectory(t)
	ctx := context.Background()
	if _, err := d.Upsert(ctx, []Service{valid("asl-frascati")}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, "asl-frascati"); err != nil { // loads
		t.Fatal(err)
	}
	before := st.Commands()
	for range 50 {
		if _, err := d.Nearest(ctx, frascatiLat, frascatiLon, CategoryHealth, 3); err != nil {
			t.Fatal(err)
		}
		if _, err := d.List(ctx, Filter{}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Get(ctx, "asl-frascati"); err != nil {
			t.Fatal(err)
		}
	}
	if n := st.Commands() - before; n != 0 {
		t.Errorf("150 lookups sent %d commands to the store", n)
	}
	// Callers cannot change the cache through what they get.
	s, _ := d.Get(ctx, "asl-frascati")
	s.Descriptions["it"] = "cambiata"
	s.Languages[0] = "xx"
	if again, _ := d.Get(ctx, "asl-frascati"); again.Describe("it") != "Descrizione" || again.Languages[0] != "it" {
		t.Errorf("the cache was changed through a returned service: %+v", again)
	}
	// Another process writes: seen after Invalidate.
	other := New(st)
	changed := valid("asl-frascati")
	changed.Name = "Nuovo nome"
	if _, err := other.Upsert(ctx, []Service{changed, valid("asl-marino")}); err != nil {
		t.Fatal(err)
	}
	if s, _ := d.Get(ctx, "asl-frascati"); s.Name != "Servizio asl-frascati" {
		t.Errorf("expected the cached name before Invalidate, got %q", s.Name)
	}
	d.Invalidate()
	if s, _ := d.Get(ctx, "asl-frascati"); s.Name != "Nuovo nome" {
		t.Errorf("after Invalidate: %q", s.Name)
	}
	// Own writes are seen at once.
	if err := d.Retire(ctx, "asl-marino"); err != nil {
		t.Fatal(err)
	}
	if l, _ := d.List(ctx, Filter{}); len(l) != 1 {
		t.Errorf("own retire not seen: %v", ids(l))
	}
}

// Two processes loading the sample (or importing the same new services)
// at once store each service once and both succeed.
func TestConcurrentLoadSample(t *testing.T) {
	_, st, _ := newDirectory(t)
	ctx := context.Background()
	want := len(parseSample(t))
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := New(st).LoadSample(ctx)
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if docs := rawDocs(t, st); len(docs) != want {
		t.Errorf("%d services stored, want %d", len(docs), want)
	}
}
