package directory

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/prils-lazio/presidio/internal/csvrows"
)

// fixedColumns are the columns besides description_<lang>, in the order
// WriteCSV writes them.
var fixedColumns = []string{
	"id", "name", "category", "provider_type", "municipality", "address",
	"latitude", "longitude", "phone", "website", "hours", "languages",
	"who_can_use", "sample", "retired",
}

// MaxDescriptionLen caps each description_<lang> cell; fieldCaps the
// other free-text cells. Longer cells are refused, not truncated.
const MaxDescriptionLen = 4000

var fieldCaps = map[string]int{
	"name": 200, "municipality": 100, "address": 300, "phone": 60,
	"website": 300, "hours": 300, "languages": 200, "who_can_use": 1000,
}

var requiredColumns = []string{"id", "name", "category", "provider_type", "description_it"}

const descPrefix = "description_"

// LineError is one problem in an import file, at the first line of the
// row it is about (the header is line 1).
type LineError struct {
	File string
	// Sheet is the workbook's sheet for an XLSX file (Line is then the
	// spreadsheet's row number); empty for CSV.
	Sheet string
	Line  int
	Msg   string
}

// Error formats the problem as "FILE:LINE: what is wrong", or for a
// workbook `FILE (sheet "S", row N): what is wrong`.
func (e *LineError) Error() string {
	if e.Sheet != "" {
		return fmt.Sprintf("%s (sheet %q, row %d): %s", e.File, e.Sheet, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// FileErrors is every problem found in an import file, in file order. It
// is the error Import returns when it refuses a file.
type FileErrors []error

// Error gives one problem per line.
func (e FileErrors) Error() string {
	lines := make([]string, len(e))
	for i, err := range e {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives the problems to errors.Is and errors.As.
func (e FileErrors) Unwrap() []error { return e }

// ParseCSV reads services in the directory's CSV format from r; name is
// the file name used in the errors.
//
// The format: one header line naming the columns, in any order, then one
// service per row. The columns are id, name, category, provider_type,
// municipality, address, latitude, longitude, phone, website, hours,
// languages, who_can_use, sample, retired and description_<lang> (<lang> an
// ISO 639 code, e.g. description_it, description_en). Required: id, name,
// category, provider_type, description_it; a column left out is an empty
// value. An empty description cell means none in that language. languages
// lists codes separated by commas or spaces; sample and retired are true or
// false (also yes/no, 1/0; empty is false); latitude and longitude use a
// dot and are both empty for a service without a place; hours follow
// ParseHours. Cells are trimmed; a quoted cell may span lines; blank rows
// are skipped. The file is UTF-8, with or without a byte order mark.
//
// ParseCSV checks every row and returns every problem as a *LineError,
// "FILE:LINE: what is wrong", LINE being the first line of the row (the
// header is line 1), in file order. With any problem it returns no
// services; without, every service passes Validate and IDs are unique.
// Rows are not checked when the header lacks a required column (they
// could not be read), nor after broken CSV quoting (the rest of the file
// cannot be trusted).
func ParseCSV(name string, r io.Reader) ([]Service, []error) {
	return parse(name, r, false)
}

// ParseFile reads services like ParseCSV, from a CSV file or, when name
// ends in .xlsx, from the first sheet of an Excel workbook (errors then
// name the sheet and row).
func ParseFile(name string, r io.Reader) ([]Service, []error) {
	return parse(name, r, csvrows.IsXLSX(name))
}

func parse(name string, r io.Reader, xlsx bool) ([]Service, []error) {
	var errs []*LineError
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &LineError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	var cols columns
	var services []Service
	firstLine := map[string]int{}
	header := func(header []string) bool {
		var ok bool
		cols, ok = readHeader(header, func(format string, args ...any) { fail(1, format, args...) })
		return ok
	}
	each := func(line int, rec []string) {
		s, problems := cols.service(rec)
		for _, p := range problems {
			fail(line, "%s", p)
		}
		if s.ID != "" {
			if first, dup := firstLine[s.ID]; dup {
				where := "line"
				if xlsx {
					where = "row"
				}
				fail(line, "id %q is already used on %s %d", s.ID, where, first)
			} else {
				firstLine[s.ID] = line
			}
		}
		if len(errs) == 0 {
			services = append(services, s)
		}
	}
	hint := strings.Join(fixedColumns, ",") + ", ..."
	if xlsx {
		sheet := csvrows.ReadXLSX(r, hint, fail, header, each)
		for _, e := range errs {
			e.Sheet = cmp.Or(sheet, "?")
		}
	} else {
		csvrows.Read(r, hint, fail, header, each)
	}
	if len(errs) > 0 {
		out := make([]error, len(errs))
		for i, e := range errs {
			out[i] = e
		}
		return nil, out
	}
	return services, nil
}

// columns maps column names to their index in the rows.
type columns map[string]int

// readHeader checks the header; ok is false when rows cannot be read.
func readHeader(header []string, fail func(string, ...any)) (columns, bool) {
	cols := columns(csvrows.Columns(header,
		func(h string) bool {
			return slices.Contains(fixedColumns, h) || strings.HasPrefix(h, descPrefix) && langPattern.MatchString(strings.TrimPrefix(h, descPrefix))
		},
		func(h string) string {
			return fmt.Sprintf("unknown column %q (columns: %s, and description_<lang> for each language, e.g. description_en)", h, strings.Join(fixedColumns, ", "))
		}, fail))
	ok := true
	for _, c := range requiredColumns {
		if !hasKey(cols, c) {
			fail("missing column %q (required: %s)", c, strings.Join(requiredColumns, ", "))
			ok = false
		}
	}
	return cols, ok
}

func hasKey(m columns, k string) bool { _, ok := m[k]; return ok }

// service reads one row; problems are messages without file and line.
func (c columns) service(rec []string) (Service, []string) {
	get := func(col string) string {
		if i, ok := c[col]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	s := Service{
		ID:           get("id"),
		Name:         get("name"),
		Category:     Category(get("category")),
		ProviderType: ProviderType(get("provider_type")),
		Municipality: get("municipality"),
		Address:      get("address"),
		Phone:        get("phone"),
		Website:      get("website"),
		Hours:        get("hours"),
		WhoCanUse:    get("who_can_use"),
		Descriptions: map[string]string{},
	}
	var problems []string
	unreadable := map[string]bool{} // columns whose value could not be read
	bad := func(col, msg string) {
		problems = append(problems, msg)
		unreadable[col] = true
	}
	var err error
	for col, max := range fieldCaps {
		if n := len([]rune(get(col))); n > max {
			bad(col, fmt.Sprintf("%s is %d characters long: at most %d", col, n, max))
		}
	}
	for col, i := range c {
		if strings.HasPrefix(col, descPrefix) {
			if n := len([]rune(rec[i])); n > MaxDescriptionLen {
				bad(col, fmt.Sprintf("%s is %d characters long: at most %d", col, n, MaxDescriptionLen))
			}
		}
	}
	if s.Latitude, err = parseCoordinate("latitude", get("latitude")); err != nil {
		bad("latitude", err.Error())
	}
	if s.Longitude, err = parseCoordinate("longitude", get("longitude")); err != nil {
		bad("longitude", err.Error())
	}
	if unreadable["latitude"] || unreadable["longitude"] {
		unreadable["coordinates"] = true
	}
	if s.Sample, err = parseBool("sample", get("sample")); err != nil {
		bad("sample", err.Error())
	}
	if s.Retired, err = parseBool("retired", get("retired")); err != nil {
		bad("retired", err.Error())
	}
	for l := range strings.FieldsFuncSeq(get("languages"), func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		s.Languages = append(s.Languages, strings.ToLower(l))
	}
	for col, i := range c {
		if lang, ok := strings.CutPrefix(col, descPrefix); ok {
			if text := strings.TrimSpace(rec[i]); text != "" {
				s.Descriptions[lang] = text
			}
		}
	}
	for _, p := range s.problems() {
		if p.field == "id" && s.ID != "" {
			if slug := csvrows.Slug(s.ID); slug != "" && slug != s.ID && len(slug) <= MaxIDLength {
				p.msg += fmt.Sprintf(": write e.g. %q", slug)
			}
		}
		if !unreadable[p.field] {
			problems = append(problems, p.msg)
		}
	}
	return s, problems
}

func parseCoordinate(col, v string) (float64, error) {
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err == nil {
		return f, nil
	}
	if _, err2 := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64); err2 == nil {
		return 0, fmt.Errorf("%s %q is not a number (use a dot)", col, v)
	}
	return 0, fmt.Errorf("%s %q is not a number", col, v)
}

func parseBool(col, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "false", "no", "0":
		return false, nil
	case "true", "yes", "1":
		return true, nil
	}
	return false, fmt.Errorf("%s %q is not true or false", col, v)
}

// WriteCSV writes services in the format ParseCSV reads: the fixed columns,
// then description_it, description_en and the other languages in use in
// alphabetical order. ParseCSV of the output gives the services back equal
// but for UpdatedAt (not exported) and for cells' leading and trailing
// spaces (trimmed).
func WriteCSV(w io.Writer, services []Service) error {
	langs := map[string]bool{SourceLanguage: true}
	for _, s := range services {
		for l, text := range s.Descriptions {
			if text != "" {
				langs[l] = true
			}
		}
	}
	others := make([]string, 0, len(langs))
	for l := range langs {
		if l != SourceLanguage && l != "en" {
			others = append(others, l)
		}
	}
	slices.Sort(others)
	order := []string{SourceLanguage}
	if langs["en"] {
		order = append(order, "en")
	}
	order = append(order, others...)

	cw := csvrows.NewWriter(w)
	header := slices.Clone(fixedColumns)
	for _, l := range order {
		header = append(header, descPrefix+l)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, s := range services {
		lat, lon := "", ""
		if s.HasLocation() {
			lat = strconv.FormatFloat(s.Latitude, 'f', -1, 64)
			lon = strconv.FormatFloat(s.Longitude, 'f', -1, 64)
		}
		row := []string{
			s.ID, s.Name, string(s.Category), string(s.ProviderType), s.Municipality, s.Address,
			lat, lon, s.Phone, s.Website, s.Hours, strings.Join(s.Languages, ","),
			s.WhoCanUse, strconv.FormatBool(s.Sample), strconv.FormatBool(s.Retired),
		}
		for _, l := range order {
			row = append(row, s.Descriptions[l])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ParseForm reads one service from form fields named like the import's
// columns (see ParseCSV: description_<lang> for each language, sample and
// retired as true/false or 1/empty), with exactly the import's checks and
// length caps. With any problem the service is what could be read and
// problems lists them all, as the importer words them.
func ParseForm(fields map[string]string) (Service, []string) {
	header := slices.Sorted(maps.Keys(fields))
	rec := make([]string, len(header))
	for i, h := range header {
		rec[i] = fields[h]
	}
	var problems []string
	cols, ok := readHeader(header, func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) })
	if !ok || len(problems) > 0 {
		return Service{}, problems
	}
	return cols.service(rec)
}
