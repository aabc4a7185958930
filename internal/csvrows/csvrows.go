// Package csvrows reads the coordinators' and schools' CSV files row by
// row, with the line numbers people need to fix them: UTF-8 with or without
// a byte order mark, quoted cells that may span lines, blank rows skipped,
// every row checked against the header's width and for valid UTF-8.
// internal/directory and internal/courses parse their columns on top of it.
package csvrows

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Fail reports a problem on a line of the file (the header is line 1).
type Fail func(line int, format string, args ...any)

// Read calls header with the first row (it reports problems with the
// header and returns false when rows cannot be read), then row with each
// non-blank row and the line it starts on. Rows with the wrong number of
// cells or invalid UTF-8 are reported, not passed on. Broken CSV quoting
// is reported and ends the reading: the rest of the file cannot be trusted.
// Cells escaped against spreadsheet formulas (Escape) are read back as
// they were.
// emptyHint says which columns the first line must name.
func Read(r io.Reader, emptyHint string, fail Fail, header func([]string) bool, row func(line int, rec []string)) {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err == io.EOF {
		fail(1, "the file is empty: the first line must name the columns (%s)", emptyHint)
		return
	}
	if err != nil {
		fail(lineOf(err, 1), "%s", problem(err))
		return
	}
	if !header(head) {
		return
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			fail(lineOf(err, 0), "%s", problem(err))
			return
		}
		line, _ := cr.FieldPos(0)
		switch {
		case blank(rec):
		case len(rec) != len(head):
			fail(line, "the row has %d cells but the header has %d (a missing or extra comma?)", len(rec), len(head))
		case !validUTF8(rec):
			fail(line, "the row is not valid UTF-8 (save the file as \"CSV UTF-8\")")
		default:
			for i := range rec {
				rec[i] = Unescape(rec[i])
			}
			row(line, rec)
		}
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func validUTF8(rec []string) bool {
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return false
		}
	}
	return true
}

// lineOf returns the line where a CSV syntax error's record starts.
func lineOf(err error, fallback int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) && pe.StartLine > 0 {
		return pe.StartLine
	}
	return fallback
}

func problem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("broken CSV at line %d, column %d: %v (a quote inside a cell must be doubled: \"\"); rows after it were not checked", pe.Line, pe.Column, pe.Err)
	}
	return fmt.Sprintf("reading the file: %v", err)
}
