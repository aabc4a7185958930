// Package directory is the territorial service directory of the Castelli
// Romani: the public offices, help points, health services and helplines
// that coordinators maintain (CSV import and export), migrants browse in the
// bot and operators refer people to.
//
// A Service is plain data with its own checks (Validate); a Directory keeps
// services in the store's "services" collection and answers lookups from an
// in-memory copy, because the directory is small (hundreds of entries) and
// read far more often than written.
package directory

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Category is what a service helps with. Only the constants below are
// valid; the bot shows them in the order of Categories.
type Category string

// The categories of the directory.
const (
	// CategoryPermits: residence permits, renewals, the post-office kit.
	CategoryPermits Category = "permits"
	// CategoryDocuments: tax code, residence registration, identity card.
	CategoryDocuments Category = "documents"
	// CategoryHealth: registration with the health service, doctors, STP.
	CategoryHealth Category = "health"
	// CategoryItalianCourses: Italian courses (CPIA, PRILS).
	CategoryItalianCourses Category = "italian-courses"
	// CategoryWork: job centres, job search, training.
	CategoryWork Category = "work"
	// CategoryHousing: finding or keeping a home.
	CategoryHousing Category = "housing"
	// CategorySchool: enrolling children at school.
	CategorySchool Category = "school"
	// CategoryLegalAid: legal advice, asylum, appeals.
	CategoryLegalAid Category = "legal-aid"
	// CategorySocialServices: the Comune's social services and support.
	CategorySocialServices Category = "social-services"
	// CategoryUrgentHelp: emergencies and helplines.
	CategoryUrgentHelp Category = "urgent-help"
	// CategoryFamily: family reunification, children, parents.
	CategoryFamily Category = "family"
)

var categories = []Category{
	CategoryPermits, CategoryDocuments, CategoryHealth, CategoryItalianCourses,
	CategoryWork, CategoryHousing, CategorySchool, CategoryLegalAid,
	CategorySocialServices, CategoryUrgentHelp, CategoryFamily,
}

// Categories returns every valid category, in display order (a new slice
// on each call).
func Categories() []Category { return append([]Category(nil), categories...) }

// Valid reports whether c is one of the categories of this package.
func (c Category) Valid() bool {
	for _, k := range categories {
		if c == k {
			return true
		}
	}
	return false
}

// ProviderType says who runs a service.
type ProviderType string

// The provider types of the directory.
const (
	// ProviderPublic: a public body (Comune, ASL, Questura, CPIA, State).
	ProviderPublic ProviderType = "public"
	// ProviderPrivate: a private business or professional.
	ProviderPrivate ProviderType = "private"
	// ProviderThirdSector: associations, cooperatives, patronati, charities.
	ProviderThirdSector ProviderType = "third-sector"
)

var providerTypes = []ProviderType{ProviderPublic, ProviderPrivate, ProviderThirdSector}

// Valid reports whether p is one of the provider types of this package.
func (p ProviderType) Valid() bool {
	for _, k := range providerTypes {
		if p == k {
			return true
		}
	}
	return false
}

// MaxIDLength is the longest service ID: IDs go into Telegram callback data,
// which holds at most 64 bytes together with the action that uses them.
const MaxIDLength = 40

// SourceLanguage is the language every service must be described in, and
// the fallback of Describe.
const SourceLanguage = "it"

// Service is one entry of the directory. The bson tags are its stored form
// (FerretDB refuses nested arrays: Languages is a flat list of strings and
// Descriptions a sub-document).
type Service struct {
	// ID is a short slug: a-z, 0-9 and "-", at most MaxIDLength bytes.
	ID   string `bson:"_id"`
	Name string `bson:"name"`
	// Category is one of the Category constants.
	Category Category `bson:"category"`
	// ProviderType is one of the ProviderType constants.
	ProviderType ProviderType `bson:"provider_type"`
	// Municipality is empty for national services (helplines).
	Municipality string `bson:"municipality,omitempty"`
	Address      string `bson:"address,omitempty"`
	// Latitude and Longitude are WGS84 degrees; both are zero when the
	// service has no place (see HasLocation).
	Latitude  float64 `bson:"lat,omitempty"`
	Longitude float64 `bson:"lon,omitempty"`
	Phone     string  `bson:"phone,omitempty"`
	// Website is empty or an http(s) URL.
	Website string `bson:"website,omitempty"`
	// Hours are the opening hours in the syntax of ParseHours; empty when
	// unknown (which is not the same as closed).
	Hours string `bson:"hours,omitempty"`
	// Languages lists the ISO 639 codes of the languages spoken there.
	Languages []string `bson:"languages,omitempty"`
	// WhoCanUse says who may use the service.
	WhoCanUse string `bson:"who_can_use,omitempty"`
	// Descriptions maps a language code to the description in that
	// language; the SourceLanguage entry is required.
	Descriptions map[string]string `bson:"descriptions"`
	// Sample marks example data that has not been checked: the bot must
	// label it as such.
	Sample bool `bson:"sample"`
	// Retired services are kept (old referrals still resolve) but no longer
	// listed or suggested.
	Retired bool `bson:"retired"`
	// UpdatedAt is when the directory last changed the stored content.
	UpdatedAt time.Time `bson:"updated_at"`
}

// HasLocation reports whether the service has coordinates. (0, 0), in the
// Gulf of Guinea, is never a service's place and means "none".
func (s Service) HasLocation() bool { return s.Latitude != 0 || s.Longitude != 0 }

// Description returns the description for a reader of lang and whether it
// is in their language: translated is false when lang has none and the
// Italian one is returned to a non-Italian reader, so the caller can say
// that it is in Italian.
func (s Service) Description(lang string) (text string, translated bool) {
	text = s.Describe(lang)
	lang = strings.ToLower(lang)
	base, _, _ := strings.Cut(lang, "-")
	own := s.Descriptions[lang] != "" || s.Descriptions[base] != ""
	return text, own || base == SourceLanguage || base == ""
}

// Describe returns the description in lang ("en", or a tag like "en-GB",
// which falls back to "en"), else the Italian one. It is empty only for a
// service that does not Validate.
func (s Service) Describe(lang string) string {
	lang = strings.ToLower(lang)
	if d := s.Descriptions[lang]; d != "" {
		return d
	}
	if base, _, ok := strings.Cut(lang, "-"); ok {
		if d := s.Descriptions[base]; d != "" {
			return d
		}
	}
	return s.Descriptions[SourceLanguage]
}

// ValidationError lists every problem of one service, each phrased with the
// CSV column it concerns.
type ValidationError struct {
	ID       string
	Problems []string
}

// Error reads `service "ID": problem; problem`.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("service %q: %s", e.ID, strings.Join(e.Problems, "; "))
}

// Validate returns nil when s can be stored, else a *ValidationError with
// every problem found (not only the first).
func (s Service) Validate() error {
	ps := s.problems()
	if len(ps) == 0 {
		return nil
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.msg
	}
	return &ValidationError{ID: s.ID, Problems: msgs}
}

// problem is one finding of Validate; field is the CSV column it is about
// (or "coordinates" for the pair), so the CSV reader can drop findings about
// a value it could not read in the first place.
type problem struct {
	field, msg string
}

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	langPattern = regexp.MustCompile(`^[a-z]{2,3}$`)
)

func (s Service) problems() []problem {
	var ps []problem
	add := func(field, format string, args ...any) {
		ps = append(ps, problem{field, fmt.Sprintf(format, args...)})
	}
	switch {
	case s.ID == "":
		add("id", "id is empty")
	case len(s.ID) > MaxIDLength || !idPattern.MatchString(s.ID):
		add("id", "id %q must be a-z, 0-9 and single \"-\" between them, at most %d characters (it goes into Telegram buttons)", s.ID, MaxIDLength)
	}
	if strings.TrimSpace(s.Name) == "" {
		add("name", "name is empty")
	} else if strings.ContainsAny(s.Name, "\r\n") {
		add("name", "name must be one line")
	}
	if !s.Category.Valid() {
		add("category", "category %q is unknown (valid: %s)", s.Category, joinCategories())
	}
	if !s.ProviderType.Valid() {
		add("provider_type", "provider_type %q is unknown (valid: public, private, third-sector)", s.ProviderType)
	}
	if s.Latitude < -90 || s.Latitude > 90 {
		add("latitude", "latitude %v is out of range (-90 to 90)", s.Latitude)
	}
	if s.Longitude < -180 || s.Longitude > 180 {
		add("longitude", "longitude %v is out of range (-180 to 180)", s.Longitude)
	}
	if (s.Latitude == 0) != (s.Longitude == 0) {
		add("coordinates", "latitude and longitude must be both given or both empty")
	}
	if msg := checkPhone(s.Phone); msg != "" {
		add("phone", "%s", msg)
	}
	if msg := checkWebsite(s.Website); msg != "" {
		add("website", "%s", msg)
	}
	if _, err := ParseHours(s.Hours); err != nil {
		add("hours", "hours %q: %v", s.Hours, err)
	}
	for _, l := range s.Languages {
		if !langPattern.MatchString(l) {
			add("languages", "languages: %q is not an ISO 639 language code (like it, en, ar, fil)", l)
		}
	}
	if strings.TrimSpace(s.Descriptions[SourceLanguage]) == "" {
		add("description_it", "description_it is empty (an Italian description is required)")
	}
	for l := range s.Descriptions {
		if !langPattern.MatchString(l) {
			add("description_"+l, "description_%s: %q is not an ISO 639 language code", l, l)
		}
	}
	return ps
}

func joinCategories() string {
	names := make([]string, len(categories))
	for i, c := range categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// checkPhone returns what is wrong with a phone number ("" if nothing):
// digits, spaces and + - / . ( ) only, and at least three digits.
func checkPhone(p string) string {
	if p == "" {
		return ""
	}
	digits := 0
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-/.()", r):
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			return fmt.Sprintf("phone %q contains letters (write digits, spaces and + - / . ( ) only)", p)
		default:
			return fmt.Sprintf("phone %q contains %q (write digits, spaces and + - / . ( ) only)", p, r)
		}
	}
	if digits < 3 {
		return fmt.Sprintf("phone %q has fewer than 3 digits", p)
	}
	return ""
}

// checkWebsite returns what is wrong with a website ("" if nothing): an
// absolute http or https URL with a host.
func checkWebsite(w string) string {
	if w == "" {
		return ""
	}
	u, err := url.Parse(w)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Sprintf("website %q must start with http:// or https://", w)
	}
	if u.Host == "" || strings.ContainsAny(w, " \t\r\n") {
		return fmt.Sprintf("website %q is not a valid web address", w)
	}
	return ""
}
