package courses

import (
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/prils-lazio/presidio/internal/csvrows"
)

// requiredColumns must be in every import file; WriteCSV writes them in
// this order, then optionalColumns, then the translation columns
// (title_<lang>, notes_<lang>), then countColumns.
var (
	requiredColumns = []string{"id", "site", "level", "title", "weekdays", "start_time", "end_time", "start_date", "end_date", "seats", "address"}
	optionalColumns = []string{"latitude", "longitude", "notes"}
	// countColumns are written by WriteCSV and ignored by ParseCSV, so an
	// export can be edited and imported again.
	countColumns = []string{"enrolled", "waiting"}
)

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

// row is a course read from a file, with the line it starts on.
type row struct {
	Line   int
	Course Course
}

// ParseCSV reads courses from r in the import format; name is the file
// name used in the errors.
//
// The format: one header line naming the columns, in any order, then one
// course per row. Required columns: id, site, level, title, weekdays,
// start_time, end_time, start_date, end_date, seats, address. Optional:
// latitude, longitude (WGS84 degrees with a dot, both or neither), notes,
// and title_<lang> and notes_<lang> for the title and notes in another
// language (<lang> a language tag such as en, ar, uk; an empty cell means
// "show the Italian one").
// The columns enrolled and waiting (written by WriteCSV) are ignored. level
// is one of pre-A1, A1, A2, B1, B2 (see ParseLevel); weekdays like "Mo,We"
// (see ParseWeekdays); times HH:MM; dates YYYY-MM-DD; seats a whole number
// above 0; the end time must be after the start time and the end date not
// before the start date. Cells are trimmed; a quoted cell may span lines;
// blank rows are skipped; the file is UTF-8, with or without a byte order
// mark.
//
// ParseCSV checks every row and returns every problem as a *LineError,
// "FILE:LINE: what is wrong", in file order. With any problem it returns
// no courses; without, every course passes Validate and IDs are unique.
// Rows are not checked when the header lacks a required column, nor after
// broken CSV quoting.
func ParseCSV(name string, r io.Reader) ([]Course, []error) {
	rows, errs := parseCSV(name, r)
	if len(errs) > 0 {
		return nil, errs
	}
	out := make([]Course, len(rows))
	for i, rw := range rows {
		out[i] = rw.Course
	}
	return out, nil
}

// ParseFile reads courses like ParseCSV, from a CSV file or, when name
// ends in .xlsx, from the first sheet of an Excel workbook (errors then
// name the sheet and row).
func ParseFile(name string, r io.Reader) ([]Course, []error) {
	rows, errs := parseFile(name, r)
	if len(errs) > 0 {
		return nil, errs
	}
	out := make([]Course, len(rows))
	for i, rw := range rows {
		out[i] = rw.Course
	}
	return out, nil
}

func parseCSV(name string, r io.Reader) ([]row, []error) {
	return parse(name, r, false)
}

func parseFile(name string, r io.Reader) ([]row, []error) {
	return parse(name, r, csvrows.IsXLSX(name))
}

func parse(name string, r io.Reader, xlsx bool) ([]row, []error) {
	var errs []error
	var sheet string
	var pending []*LineError // XLSX: the sheet's name is known at the end
	fail := func(line int, format string, args ...any) {
		e := &LineError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
		pending = append(pending, e)
		errs = append(errs, e)
	}
	var cols columns
	var rows []row
	firstLine := map[string]int{}
	header := func(header []string) bool {
		var ok bool
		cols, ok = readHeader(header, func(format string, args ...any) { fail(1, format, args...) })
		return ok
	}
	each := func(line int, rec []string) {
		co, problems := cols.course(rec)
		for _, p := range problems {
			fail(line, "%s", p.msg)
		}
		if co.ID != "" {
			if first, dup := firstLine[co.ID]; dup {
				fail(line, "id %q is already used on %s %d", co.ID, lineWord(xlsx), first)
			} else {
				firstLine[co.ID] = line
			}
		}
		if len(errs) == 0 {
			rows = append(rows, row{Line: line, Course: co})
		}
	}
	hint := strings.Join(requiredColumns, ",")
	if xlsx {
		sheet = csvrows.ReadXLSX(r, hint, fail, header, each)
		for _, e := range pending {
			e.Sheet = sheet
		}
		if sheet == "" {
			for _, e := range pending {
				e.Sheet = "?"
			}
		}
	} else {
		csvrows.Read(r, hint, fail, header, each)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return rows, nil
}

func lineWord(xlsx bool) string {
	if xlsx {
		return "row"
	}
	return "line"
}

// columns maps column names to their index in the rows.
type columns map[string]int

// readHeader checks the header; ok is false when rows cannot be read.
func readHeader(header []string, fail func(string, ...any)) (columns, bool) {
	known := slices.Concat(requiredColumns, optionalColumns, countColumns)
	cols := columns(csvrows.Columns(header,
		func(h string) bool { return slices.Contains(known, h) || translationLang(h) != "" },
		func(h string) string {
			return fmt.Sprintf("unknown column %q (columns: %s, and title_<lang>, notes_<lang> for translations, e.g. title_en)", h, strings.Join(known, ", "))
		}, fail))
	ok := true
	for _, c := range requiredColumns {
		if _, has := cols[c]; !has {
			fail("missing column %q (required: %s)", c, strings.Join(requiredColumns, ", "))
			ok = false
		}
	}
	return cols, ok
}

// translationPattern is a translation column: title_<lang> or notes_<lang>.
var translationPattern = regexp.MustCompile(`^(title|notes)_([a-z]{2,3})$`)

// translationLang returns the language of a translation column, "" for
// another column. title_it and notes_it are not translations (Italian is
// title and notes).
func translationLang(col string) string {
	m := translationPattern.FindStringSubmatch(col)
	if m == nil || m[2] == "it" {
		return ""
	}
	return m[2]
}

// course reads one row; problems are messages without file and line, each
// with the column it is about.
func (cols columns) course(rec []string) (Course, []problem) {
	get := func(col string) string {
		if i, ok := cols[col]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	co := Course{
		ID: get("id"), Title: get("title"),
		Address: get("address"), Notes: get("notes"),
	}
	for col, i := range cols {
		lang, v := translationLang(col), strings.TrimSpace(rec[i])
		if lang == "" || v == "" {
			continue
		}
		m := &co.TitleTranslations
		if strings.HasPrefix(col, "notes_") {
			m = &co.NotesTranslations
		}
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[lang] = v
	}
	var problems []problem
	unreadable := map[string]bool{}
	bad := func(col, msg string) {
		problems = append(problems, problem{col, msg})
		unreadable[col] = true
	}
	var err error
	for _, c := range []struct {
		col string
		max int
	}{{"title", MaxTitleLen}, {"address", MaxAddressLen}, {"notes", MaxNotesLen}} {
		if n := len([]rune(get(c.col))); n > c.max {
			bad(c.col, fmt.Sprintf("%s is %d characters long: at most %d", c.col, n, c.max))
		}
	}
	for _, col := range slices.Sorted(maps.Keys(cols)) {
		if translationLang(col) == "" {
			continue
		}
		v, max := strings.TrimSpace(rec[cols[col]]), MaxNotesLen
		if strings.HasPrefix(col, "title_") {
			max = MaxTitleLen
			if strings.ContainsAny(v, "\r\n") {
				bad(col, col+" must be one line")
			}
		}
		if n := len([]rune(v)); n > max {
			bad(col, fmt.Sprintf("%s is %d characters long: at most %d", col, n, max))
		}
	}
	if co.Site, err = parseSite(get("site")); err != nil {
		bad("site", err.Error())
	}
	if co.StartDate, err = ParseDate(get("start_date")); err != nil {
		bad("start_date", "start_date "+err.Error())
	}
	if co.EndDate, err = ParseDate(get("end_date")); err != nil {
		bad("end_date", "end_date "+err.Error())
	}
	if co.Level, err = ParseLevel(get("level")); err != nil {
		bad("level", err.Error())
	}
	if co.Weekdays, err = ParseWeekdays(get("weekdays")); err != nil {
		bad("weekdays", err.Error())
	}
	if co.StartTime, err = ParseClock(get("start_time")); err != nil {
		bad("start_time", "start_time "+err.Error())
	}
	if co.EndTime, err = ParseClock(get("end_time")); err != nil {
		bad("end_time", "end_time "+err.Error())
	}
	if s := get("seats"); s == "" {
		bad("seats", "seats is empty")
	} else if co.Seats, err = strconv.Atoi(strings.TrimSuffix(s, ".0")); err != nil {
		bad("seats", fmt.Sprintf("seats %q is not a whole number", s))
	}
	if co.Latitude, err = parseCoordinate("latitude", get("latitude")); err != nil {
		bad("latitude", err.Error())
	}
	if co.Longitude, err = parseCoordinate("longitude", get("longitude")); err != nil {
		bad("longitude", err.Error())
	}
	if unreadable["latitude"] || unreadable["longitude"] {
		unreadable["coordinates"] = true
	}
	for _, p := range co.problems() {
		if p.field == "id" {
			p.msg += idSuggestion(co.ID)
		}
		if !unreadable[p.field] && !(p.field == "end_time" && (unreadable["start_time"] || unreadable["end_time"])) {
			problems = append(problems, p)
		}
	}
	return co, problems
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

// WriteCSV writes courses in the format ParseCSV reads, with every column,
// plus the enrolled and waiting counts from counts (zero for a course not
// in it). ParseCSV of the output gives the courses back equal but for
// UpdatedAt (not written) and cells' leading and trailing spaces.
func WriteCSV(w io.Writer, courses []Course, counts map[string]Counts) error {
	var langs []string
	for _, co := range courses {
		for l := range co.TitleTranslations {
			langs = append(langs, l)
		}
		for l := range co.NotesTranslations {
			langs = append(langs, l)
		}
	}
	slices.Sort(langs)
	langs = slices.Compact(langs)
	var translationColumns []string
	for _, l := range langs {
		translationColumns = append(translationColumns, "title_"+l, "notes_"+l)
	}
	cw := csvrows.NewWriter(w)
	if err := cw.Write(slices.Concat(requiredColumns, optionalColumns, translationColumns, countColumns)); err != nil {
		return err
	}
	for _, co := range courses {
		lat, lon := "", ""
		if co.HasLocation() {
			lat = strconv.FormatFloat(co.Latitude, 'f', -1, 64)
			lon = strconv.FormatFloat(co.Longitude, 'f', -1, 64)
		}
		n := counts[co.ID]
		rec := []string{
			co.ID, co.Site, string(co.Level), co.Title, FormatWeekdays(co.Weekdays),
			co.StartTime, co.EndTime, co.StartDate, co.EndDate, strconv.Itoa(co.Seats), co.Address,
			lat, lon, co.Notes,
		}
		for _, l := range langs {
			rec = append(rec, co.TitleTranslations[l], co.NotesTranslations[l])
		}
		rec = append(rec, strconv.Itoa(n.Enrolled), strconv.Itoa(n.Waiting))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
