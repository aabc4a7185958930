package courses

import (
	"fmt"
	"maps"
	"slices"
)

// FieldProblem is one problem of a course typed into a form: Field is the
// import column it is about (e.g. "weekdays", "title_en"; "" when it is
// about no one field) and Msg says what is wrong, as the importer says it.
type FieldProblem struct {
	Field, Msg string
}

// FormColumns are the fields a course form sends, besides the
// translations title_<lang> and notes_<lang>: the import's columns.
func FormColumns() []string { return slices.Concat(requiredColumns, optionalColumns) }

// ParseForm reads one course from form fields named like the import's
// columns (see ParseCSV; translations as title_<lang> and notes_<lang>),
// with exactly the import's checks and accepted forms: site by ID or name,
// weekdays in Italian or English, dd/mm/yyyy dates, 18.00 times, the same
// length caps. Every required column must be present (empty is allowed
// and reported). With any problem the course is what could be read and
// problems lists them all.
func ParseForm(fields map[string]string) (Course, []FieldProblem) {
	header := slices.Sorted(maps.Keys(fields))
	rec := make([]string, len(header))
	for i, h := range header {
		rec[i] = fields[h]
	}
	var out []FieldProblem
	cols, ok := readHeader(header, func(format string, args ...any) {
		out = append(out, FieldProblem{Msg: fmt.Sprintf(format, args...)})
	})
	if !ok || len(out) > 0 {
		return Course{}, out
	}
	co, problems := cols.course(rec)
	for _, p := range problems {
		field := p.field
		if field == "coordinates" {
			field = "latitude"
		}
		out = append(out, FieldProblem{Field: field, Msg: p.msg})
	}
	return co, out
}
