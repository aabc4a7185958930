package csvrows

import (
	"encoding/csv"
	"io"
	"strings"
)

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula (CSV injection): = + - @, tab and carriage return.
const formulaStarts = "=+-@\t\r"

// Escape keeps a cell from being read as a formula: a cell starting with
// one of = + - @ tab CR gets a leading apostrophe, which spreadsheets show
// as text and Unescape takes off again. Numbers and phone numbers
// ("+39 06 1234", "-12.5") stay as they are: they cannot call anything.
func Escape(s string) string {
	if s == "" || !strings.ContainsRune(formulaStarts, rune(s[0])) || plainNumber(s) {
		return s
	}
	return "'" + s
}

// Unescape undoes Escape when reading a file this package wrote (or a
// spreadsheet saved again): an apostrophe before a formula start goes.
func Unescape(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(formulaStarts, rune(s[1])) {
		return s[1:]
	}
	return s
}

// plainNumber: a sign, then only digits, spaces, dots, parentheses and
// dashes (numbers, coordinates, phone numbers).
func plainNumber(s string) bool {
	if s[0] != '+' && s[0] != '-' || len(s) < 2 {
		return false
	}
	for _, r := range s[1:] {
		if (r < '0' || r > '9') && !strings.ContainsRune(" .()-/", r) {
			return false
		}
	}
	return true
}

// Writer writes CSV with every cell escaped (see Escape). Every CSV the
// console or the command line writes goes through it.
type Writer struct{ w *csv.Writer }

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, escaping each cell.
func (w *Writer) Write(record []string) error {
	out := make([]string, len(record))
	for i, c := range record {
		out[i] = Escape(c)
	}
	return w.w.Write(out)
}

// Flush writes buffered data; Error reports a write error.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports any error of a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
