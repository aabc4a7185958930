package courses

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// MaxIDLength is the longest course ID: IDs go into Telegram callback data
// (64 bytes with the action that carries them).
const MaxIDLength = 32

// Level is the CEFR level a course leads to; only the constants below are
// valid.
type Level string

// The levels of the CPIA courses, in teaching order.
const (
	// LevelPreA1 is literacy (alfabetizzazione): for people who do not
	// yet read and write, in Italian or at all.
	LevelPreA1 Level = "pre-A1"
	// LevelA1: beginners who read and write.
	LevelA1 Level = "A1"
	// LevelA2: the level asked for the long-term residence permit.
	LevelA2 Level = "A2"
	// LevelB1: the level asked for citizenship.
	LevelB1 Level = "B1"
	// LevelB2: independent users.
	LevelB2 Level = "B2"
)

var levels = []Level{LevelPreA1, LevelA1, LevelA2, LevelB1, LevelB2}

// Levels returns every valid level in teaching order (a new slice on each
// call).
func Levels() []Level { return slices.Clone(levels) }

// Valid reports whether l is one of the Level constants (exact spelling).
func (l Level) Valid() bool { return slices.Contains(levels, l) }

// ParseLevel reads a level ignoring case, spaces and dashes ("a1",
// "Pre A1", "prea1"); "literacy" and "alfabetizzazione" also mean pre-A1.
func ParseLevel(s string) (Level, error) {
	key := strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToLower(strings.TrimSpace(s)))
	switch key {
	case "":
		return "", fmt.Errorf("level is empty (valid: %s)", joinLevels())
	case "literacy", "alfabetizzazione", "alfa":
		return LevelPreA1, nil
	}
	for _, l := range levels {
		if key == strings.ReplaceAll(strings.ToLower(string(l)), "-", "") {
			return l, nil
		}
	}
	return "", fmt.Errorf("level %q is unknown (valid: %s)", s, joinLevels())
}

func joinLevels() string {
	names := make([]string, len(levels))
	for i, l := range levels {
		names[i] = string(l)
	}
	return strings.Join(names, ", ")
}

// Course is one Italian course at a CPIA site. Dates and times are local
// to Rome (see Location). The bson tags are its stored form, in the
// "courses" collection with the ID as _id.
type Course struct {
	// ID is a short slug: a-z, 0-9 and "-", at most MaxIDLength bytes.
	ID string `bson:"_id"`
	// Site is the ID of the help point or CPIA site that runs the course
	// (same syntax as ID).
	Site  string `bson:"site"`
	Level Level  `bson:"level"`
	Title string `bson:"title"`
	// Weekdays are the days of the lessons, in week order from Monday,
	// without repeats.
	Weekdays []time.Weekday `bson:"weekdays"`
	// StartTime and EndTime are "HH:MM" (24 hours); EndTime is later.
	StartTime string `bson:"start_time"`
	EndTime   string `bson:"end_time"`
	// StartDate and EndDate are "YYYY-MM-DD"; EndDate is not earlier.
	StartDate string `bson:"start_date"`
	EndDate   string `bson:"end_date"`
	// Seats is how many people may be enrolled (or offered a place) at
	// once; more than zero.
	Seats   int    `bson:"seats"`
	Address string `bson:"address"`
	// Latitude and Longitude are WGS84 degrees; both zero when unknown
	// (see HasLocation).
	Latitude  float64 `bson:"lat,omitempty"`
	Longitude float64 `bson:"lon,omitempty"`
	// Notes say what to bring and who may attend.
	Notes string `bson:"notes,omitempty"`
	// TitleTranslations and NotesTranslations hold the title and the notes
	// in other languages, by language tag ("en", "ar"): the CSV columns
	// title_<lang> and notes_<lang>. Title and Notes are the Italian ones
	// and the fallback (see TitleIn, NotesIn). Nil when there are none.
	TitleTranslations map[string]string `bson:"title_i18n,omitempty"`
	NotesTranslations map[string]string `bson:"notes_i18n,omitempty"`
	// Retired courses take no new sign-ups, waiting-list entries or offers
	// and are not listed to people; the people enrolled, offered a seat or
	// waiting are told once (see DueRetirements). They stay in the list
	// (and their people in the register) for the school's records. An
	// import never un-retires a course (see Upsert); Retire sets it.
	Retired bool `bson:"retired,omitempty"`
	// UpdatedAt is when an import last changed the course.
	UpdatedAt time.Time `bson:"updated_at"`
}

// TitleIn returns the title for a reader of lang ("en", or "en-GB" which
// falls back to "en") and whether it is in that language: false when the
// Italian title is returned to a reader of another language.
func (c Course) TitleIn(lang string) (string, bool) {
	return inLanguage(c.Title, c.TitleTranslations, lang)
}

// NotesIn returns the notes for a reader of lang, as TitleIn.
func (c Course) NotesIn(lang string) (string, bool) {
	return inLanguage(c.Notes, c.NotesTranslations, lang)
}

func inLanguage(italian string, translations map[string]string, lang string) (string, bool) {
	lang = strings.ToLower(strings.TrimSpace(lang))
	base, _, _ := strings.Cut(lang, "-")
	if t := translations[lang]; t != "" {
		return t, true
	}
	if t := translations[base]; t != "" {
		return t, true
	}
	return italian, base == "it" || base == ""
}

// HasLocation reports whether the course has coordinates. (0, 0) is never
// a course's place and means "none".
func (c Course) HasLocation() bool { return c.Latitude != 0 || c.Longitude != 0 }

// Starts returns the first lesson's start in Rome's time zone. It is the
// zero time for a course that does not Validate.
func (c Course) Starts() time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", c.StartDate+" "+c.StartTime, Location)
	if err != nil {
		return time.Time{}
	}
	return t
}

// ValidationError lists every problem of one course, each phrased with the
// CSV column it concerns.
type ValidationError struct {
	ID       string
	Problems []string
}

// Error reads `course "ID": problem; problem`.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("course %q: %s", e.ID, strings.Join(e.Problems, "; "))
}

// Validate returns nil when c can be stored, else a *ValidationError with
// every problem found (not only the first).
func (c Course) Validate() error {
	ps := c.problems()
	if len(ps) == 0 {
		return nil
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.msg
	}
	return &ValidationError{ID: c.ID, Problems: msgs}
}

// problem is one finding of Validate; field is the CSV column it is about,
// so the CSV reader can drop findings about a value it could not read.
type problem struct {
	field, msg string
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func checkID(col, id string) string {
	switch {
	case id == "":
		return col + " is empty"
	case len(id) > MaxIDLength || !idPattern.MatchString(id):
		return fmt.Sprintf("%s %q must be a-z, 0-9 and single \"-\" between them, at most %d characters (it goes into Telegram buttons)", col, id, MaxIDLength)
	}
	return ""
}

func (c Course) problems() []problem {
	var ps []problem
	add := func(field, format string, args ...any) {
		ps = append(ps, problem{field, fmt.Sprintf(format, args...)})
	}
	if msg := checkID("id", c.ID); msg != "" {
		add("id", "%s", msg)
	}
	if msg := checkID("site", c.Site); msg != "" {
		add("site", "%s", msg)
	}
	if !c.Level.Valid() {
		add("level", "level %q is unknown (valid: %s)", c.Level, joinLevels())
	}
	if strings.TrimSpace(c.Title) == "" {
		add("title", "title is empty")
	} else if strings.ContainsAny(c.Title, "\r\n") {
		add("title", "title must be one line")
	}
	if len(c.Weekdays) == 0 {
		add("weekdays", "weekdays is empty (e.g. Mo,We)")
	} else if !slices.IsSortedFunc(c.Weekdays, compareWeekdays) || slices.ContainsFunc(c.Weekdays, func(d time.Weekday) bool { return d < time.Sunday || d > time.Saturday }) ||
		len(slices.Compact(slices.Clone(c.Weekdays))) != len(c.Weekdays) {
		add("weekdays", "weekdays %v must be days of the week in order from Monday, each once", c.Weekdays)
	}
	startOK, endOK := validClock(c.StartTime), validClock(c.EndTime)
	if !startOK {
		add("start_time", "start_time %q is not a time like 09:30", c.StartTime)
	}
	if !endOK {
		add("end_time", "end_time %q is not a time like 11:30", c.EndTime)
	}
	if startOK && endOK && c.EndTime <= c.StartTime {
		add("end_time", "end_time %s is not after start_time %s", c.EndTime, c.StartTime)
	}
	startDate, errS := time.Parse(time.DateOnly, c.StartDate)
	endDate, errE := time.Parse(time.DateOnly, c.EndDate)
	if errS != nil {
		add("start_date", "start_date %q is not a date like 2025-10-06 (YYYY-MM-DD)", c.StartDate)
	}
	if errE != nil {
		add("end_date", "end_date %q is not a date like 2026-05-29 (YYYY-MM-DD)", c.EndDate)
	}
	if errS == nil && errE == nil && endDate.Before(startDate) {
		add("end_date", "end_date %s is before start_date %s", c.EndDate, c.StartDate)
	}
	if c.Seats <= 0 {
		add("seats", "seats must be more than 0 (is %d)", c.Seats)
	}
	if strings.TrimSpace(c.Address) == "" {
		add("address", "address is empty")
	}
	if c.Latitude < -90 || c.Latitude > 90 {
		add("latitude", "latitude %v is out of range (-90 to 90)", c.Latitude)
	}
	if c.Longitude < -180 || c.Longitude > 180 {
		add("longitude", "longitude %v is out of range (-180 to 180)", c.Longitude)
	}
	if (c.Latitude == 0) != (c.Longitude == 0) {
		add("coordinates", "latitude and longitude must be both given or both empty")
	}
	return ps
}
