package directory

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// Approximate town centres, as in the sample.
const (
	frascatiLat, frascatiLon           = 41.8069, 12.6797
	grottaferrataLat, grottaferrataLon = 41.7877, 12.6706
	velletriLat, velletriLon           = 41.6868, 12.7776
	ciampinoLat, ciampinoLon           = 41.8003, 12.6024
)

// valid returns a valid service; tests change what they need.
func valid(id string) Service {
	return Service{
		ID:           id,
		Name:         "Servizio " + id,
		Category:     CategoryHealth,
		ProviderType: ProviderPublic,
		Municipality: "Frascati",
		Latitude:     frascatiLat,
		Longitude:    frascatiLon,
		Languages:    []string{"it", "en"},
		Descriptions: map[string]string{"it": "Descrizione", "en": "Description"},
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	s := Service{
		ID:           "Frascati CPIA",
		Category:     "salute",
		ProviderType: "state",
		Latitude:     141.8,
		Phone:        "06 ABC",
		Website:      "www.example.org",
		Hours:        "Mo-Fx 09:00-13:00",
		Languages:    []string{"english"},
		Descriptions: map[string]string{"en": "English only"},
	}
	err := s.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate() = %v, want a *ValidationError", err)
	}
	want := []string{
		`id "Frascati CPIA" must be a-z, 0-9 and single "-" between them, at most 40 characters (it goes into Telegram buttons)`,
		`name is empty`,
		`category "salute" is unknown (valid: permits, documents, health, italian-courses, work, housing, school, legal-aid, social-services, urgent-help, family)`,
		`provider_type "state" is unknown (valid: public, private, third-sector)`,
		`latitude 141.8 is out of range (-90 to 90)`,
		`latitude and longitude must be both given or both empty`,
		`phone "06 ABC" contains letters (write digits, spaces and + - / . ( ) only)`,
		`website "www.example.org" must start with http:// or https://`,
		`hours "Mo-Fx 09:00-13:00": unknown day "Fx" (days are Mo Tu We Th Fr Sa Su)`,
		`languages: "english" is not an ISO 639 language code (like it, en, ar, fil)`,
		`description_it is empty (an Italian description is required)`,
	}
	if !slices.Equal(ve.Problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(ve.Problems, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(err.Error(), `service "Frascati CPIA": id "Frascati CPIA"`) {
		t.Errorf("Error() = %s", err)
	}
}

func TestValidateAccepts(t *testing.T) {
	ok := []Service{valid("asl-frascati")}
	helpline := valid("linea-1522")
	helpline.Latitude, helpline.Longitude, helpline.Municipality = 0, 0, ""
	helpline.Phone, helpline.Hours, helpline.Category = "1522", "24/7", CategoryUrgentHelp
	ok = append(ok, helpline)
	full := valid("a-" + strings.Repeat("b", MaxIDLength-2))
	full.Phone, full.Website = "+39 (06) 123-456/7", "https://example.org/path?q=1"
	full.Hours = "Mo-Fr 09:00-13:00; Tu,Th 15:00-18:00"
	ok = append(ok, full)
	for _, s := range ok {
		if err := s.Validate(); err != nil {
			t.Errorf("Validate(%s) = %v", s.ID, err)
		}
	}
	long := valid(strings.Repeat("a", MaxIDLength+1))
	for _, id := range []string{long.ID, "a--b", "-a", "a-", "À"} {
		s := valid(id)
		if err := s.Validate(); err == nil {
			t.Errorf("id %q accepted", id)
		}
	}
	for _, p := range []string{"12", "06#12345"} {
		s := valid("x")
		s.Phone = p
		if err := s.Validate(); err == nil {
			t.Errorf("phone %q accepted", p)
		}
	}
}

func TestDescribeFallsBackToItalian(t *testing.T) {
	s := valid("x")
	s.Descriptions["fr"] = ""
	for lang, want := range map[string]string{
		"en": "Description", "en-GB": "Description", "EN": "Description",
		"it": "Descrizione", "ar": "Descrizione", "fr": "Descrizione", "": "Descrizione",
	} {
		if got := s.Describe(lang); got != want {
			t.Errorf("Describe(%q) = %q, want %q", lang, got, want)
		}
	}
}

func TestCategories(t *testing.T) {
	cs := Categories()
	if len(cs) != 11 || cs[0] != CategoryPermits || cs[10] != CategoryFamily {
		t.Fatalf("Categories() = %v", cs)
	}
	cs[0] = "changed"
	if Categories()[0] != CategoryPermits {
		t.Error("Categories() shares its slice")
	}
	for _, c := range Categories() {
		if !c.Valid() {
			t.Errorf("%s not valid", c)
		}
	}
	if Category("salute").Valid() || ProviderType("state").Valid() || !ProviderThirdSector.Valid() {
		t.Error("Valid() wrong")
	}
}

func TestDistanceMetres(t *testing.T) {
	// One degree of latitude on the mean sphere.
	if d := DistanceMetres(41, 12, 42, 12); math.Abs(d-111195.08) > 1 {
		t.Errorf("1° of latitude = %.2f m", d)
	}
	if d := DistanceMetres(frascatiLat, frascatiLon, frascatiLat, frascatiLon); d != 0 {
		t.Errorf("same point = %v", d)
	}
	// Frascati to Velletri is about 15 km as the crow flies.
	if d := DistanceMetres(frascatiLat, frascatiLon, velletriLat, velletriLon); d < 14500 || d > 16500 {
		t.Errorf("Frascati-Velletri = %.0f m", d)
	}
}

func TestDescriptionSaysWhenItIsItalian(t *testing.T) {
	s := valid("x")
	for _, tc := range []struct {
		lang, text string
		translated bool
	}{
		{"it", "Descrizione", true}, {"en", "Description", true}, {"en-GB", "Description", true},
		{"ar", "Descrizione", false}, {"fa", "Descrizione", false}, {"", "Descrizione", true},
	} {
		if text, translated := s.Description(tc.lang); text != tc.text || translated != tc.translated {
			t.Errorf("Description(%q) = %q, %v; want %q, %v", tc.lang, text, translated, tc.text, tc.translated)
		}
	}
}
