package directory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// nationalNumbers are the real national numbers of CONTENT-FACTS.md: the
// only phone numbers the sample may carry.
var nationalNumbers = []string{"112", "1522", "800 290 290", "114", "116 000"}

var sampleTowns = []string{"Frascati", "Velletri", "Albano Laziale", "Ciampino", "Marino", "Genzano di Roma", "Grottaferrata"}

// prilsTowns are the four PRILS help points of the seed (a 2015 page):
// the only PRILS points the sample may show, each "to be confirmed".
var prilsTowns = []string{"Frascati", "Velletri", "Albano Laziale", "Ciampino"}

func parseSample(t *testing.T) []Service {
	t.Helper()
	services, errs := ParseCSV(sampleFile, bytes.NewReader(sampleCSV))
	if len(errs) > 0 {
		t.Fatalf("the sample does not validate:\n%s", strings.Join(errStrings(errs), "\n"))
	}
	return services
}

func TestSampleFollowsTheRules(t *testing.T) {
	services := parseSample(t)
	byID := map[string]Service{}
	for _, s := range services {
		byID[s.ID] = s
		if s.Sample != (s.Municipality != "") {
			t.Errorf("%s: sample=%v; local entries are samples, national helplines are real", s.ID, s.Sample)
		}
		if s.Describe("en") == s.Describe("it") {
			t.Errorf("%s: no English description", s.ID)
		}
		if s.Municipality == "" { // national helpline
			if s.Category != CategoryUrgentHelp || s.HasLocation() || !slices.Contains(nationalNumbers, s.Phone) {
				t.Errorf("%s: a national entry must be urgent-help, without coordinates, with a national number: %+v", s.ID, s)
			}
			continue
		}
		if s.Phone != "" {
			t.Errorf("%s: local phone %q (no local number is confirmed)", s.ID, s.Phone)
		}
		if s.Hours != "" {
			t.Errorf("%s: local hours %q (none is confirmed)", s.ID, s.Hours)
		}
		if !strings.Contains(s.Name, "(esempio") {
			t.Errorf("%s: the name %q does not say it is an example", s.ID, s.Name)
		}
		if !strings.Contains(s.Address, "da confermare") {
			t.Errorf("%s: address %q presented as real", s.ID, s.Address)
		}
		if !strings.Contains(s.Describe("it"), "approssimativa") || !strings.Contains(s.Describe("en"), "approximate") {
			t.Errorf("%s: coordinates not labelled approximate", s.ID)
		}
		if !slices.Contains(sampleTowns, s.Municipality) {
			t.Errorf("%s: municipality %q", s.ID, s.Municipality)
		}
		// Within the Castelli Romani.
		if s.Latitude < 41.6 || s.Latitude > 41.9 || s.Longitude < 12.5 || s.Longitude > 12.9 {
			t.Errorf("%s: coordinates %v,%v outside the Castelli Romani", s.ID, s.Latitude, s.Longitude)
		}
	}
	slugs := map[string]string{"Frascati": "frascati", "Velletri": "velletri", "Albano Laziale": "albano",
		"Ciampino": "ciampino", "Marino": "marino", "Genzano di Roma": "genzano", "Grottaferrata": "grottaferrata"}
	for _, town := range sampleTowns {
		kinds := []string{"anagrafe", "asl", "patronato"}
		if slices.Contains(prilsTowns, town) {
			kinds = append(kinds, "prils")
		}
		if slices.Contains([]string{"Albano Laziale", "Frascati", "Marino", "Velletri"}, town) {
			kinds = append(kinds, "cpi")
		}
		for _, k := range kinds {
			id := fmt.Sprintf("%s-%s", k, slugs[town])
			if s, ok := byID[id]; !ok || s.Municipality != town {
				t.Errorf("missing %s for %s", id, town)
			}
		}
	}
	for _, s := range services {
		if !strings.HasPrefix(s.ID, "prils-") {
			continue
		}
		if !slices.Contains(prilsTowns, s.Municipality) {
			t.Errorf("%s: a PRILS help point in %s, which is not a PRILS site of the seed", s.ID, s.Municipality)
		}
		if !strings.Contains(s.Name, "da confermare") || !strings.Contains(s.Describe("it"), "DA CONFERMARE") || !strings.Contains(s.Describe("en"), "TO BE CONFIRMED") {
			t.Errorf("%s: a PRILS point of the seed must say it is to be confirmed: %q", s.ID, s.Name)
		}
	}
	for _, n := range nationalNumbers {
		found := false
		for _, s := range services {
			found = found || s.Phone == n
		}
		if !found {
			t.Errorf("national number %s missing", n)
		}
	}
}

func TestLoadSampleOnlyWhenEmpty(t *testing.T) {
	d, _, _ := newDirectory(t)
	ctx := context.Background()
	want := len(parseSample(t))
	n, err := d.LoadSample(ctx)
	if err != nil || n != want {
		t.Fatalf("LoadSample = %d, %v; want %d", n, err, want)
	}
	if n, err := d.LoadSample(ctx); err != nil || n != 0 {
		t.Errorf("second LoadSample = %d, %v", n, err)
	}
	// A point in Frascati finds the Frascati services first.
	near, err := d.Nearest(ctx, 41.8083, 12.6771, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	frascati := 0
	for _, n := range near {
		if n.Municipality != "Frascati" {
			break
		}
		frascati++
	}
	if frascati != 5 || near[frascati].Municipality != "Grottaferrata" {
		t.Errorf("the first %d results are in Frascati, then %s", frascati, near[frascati].Municipality)
	}
	if len(near) != want-len(nationalNumbers) {
		t.Errorf("Nearest returned %d services, want every local one (%d)", len(near), want-len(nationalNumbers))
	}
	urgent, _ := d.List(ctx, Filter{Category: CategoryUrgentHelp})
	if len(urgent) != len(nationalNumbers) {
		t.Errorf("urgent-help lists %d services", len(urgent))
	}
	if s, _ := d.Get(ctx, "linea-1522"); !s.OpenAt(utc("2025-03-30T01:30:00Z")) || s.Describe("fr") == s.Describe("it") {
		t.Errorf("1522 = %+v", s)
	}
}
