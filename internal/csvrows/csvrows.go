// Package csvrows reads the coordinators' and schools' spreadsheet files
// row by row, with the line numbers people need to fix them. CSV: UTF-8
// with or without a byte order mark, or Windows-1252 (what Italian
// spreadsheet programs save as "CSV"), separated by commas, semicolons or
// tabs (detected from the header line); quoted cells may span lines. XLSX:
// the first sheet (see ReadXLSX). Either way blank rows are skipped and
// every row is checked against the header's width.
//
// The reading streams: at most MaxRecordBytes of one row are held at a
// time, and no row after MaxRows is read. internal/directory and
// internal/courses parse their columns on top of it.
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

	"golang.org/x/text/encoding/charmap"
)

// MaxRecordBytes bounds one row of a CSV file (all its cells together):
// a longer row is reported and ends the reading, so a broken or hostile
// file cannot fill the memory.
const MaxRecordBytes = 256 << 10

// MaxRows bounds the rows of a file; the rows after it are not read and
// the file is refused.
const MaxRows = 50_000

// Fail reports a problem on a line of the file (the header is line 1).
type Fail func(line int, format string, args ...any)

// errTooLong is returned by limitReader when a row exceeds MaxRecordBytes.
var errTooLong = errors.New("row too long")

// limitReader fails once more than max bytes are read since the last mark:
// it bounds what encoding/csv buffers for one record.
type limitReader struct {
	r    io.Reader
	n    int
	max  int
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n >= l.max {
		l.over = true
		return 0, errTooLong
	}
	if len(p) > l.max-l.n {
		p = p[:l.max-l.n]
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

// Read calls header with the first row (it reports problems with the
// header and returns false when rows cannot be read), then row with each
// non-blank row and the line it starts on. Rows with the wrong number of
// cells are reported, not passed on. Cells that are not valid UTF-8 are
// read as Windows-1252. A file in UTF-16 is refused with "save as CSV
// UTF-8". Broken CSV quoting, a row longer than MaxRecordBytes or more
// than MaxRows rows end the reading: the rest of the file is not checked.
// Cells escaped against spreadsheet formulas (Escape) are read back as
// they were.
// emptyHint says which columns the first line must name.
func Read(r io.Reader, emptyHint string, fail Fail, header func([]string) bool, row func(line int, rec []string)) {
	br := bufio.NewReaderSize(r, 64<<10)
	start, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(start, []byte("\xef\xbb\xbf")):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(start, []byte("\xff\xfe")) || bytes.HasPrefix(start, []byte("\xfe\xff")):
		fail(1, "the file is UTF-16 (\"Unicode text\"): save it as \"CSV UTF-8\" or as an Excel workbook (.xlsx)")
		return
	}
	lim := &limitReader{r: br, max: MaxRecordBytes}
	cr := csv.NewReader(lim)
	cr.Comma = delimiter(br)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err == io.EOF {
		fail(1, "the file is empty: the first line must name the columns (%s)", emptyHint)
		return
	}
	if err != nil {
		fail(lineOf(err, 1), "%s", problem(err, lim))
		return
	}
	decode(head)
	if !header(head) {
		return
	}
	rows := 0
	for {
		lim.n = 0
		rec, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			line, _ := cr.FieldPos(0)
			fail(lineOf(err, line), "%s", problem(err, lim))
			return
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if rows++; rows > MaxRows {
			fail(line, "the file has more than %d rows: split it", MaxRows)
			return
		}
		decode(rec)
		if len(rec) != len(head) {
			fail(line, "the row has %d cells but the header has %d (a missing or extra %s?)", len(rec), len(head), sepName(cr.Comma))
			continue
		}
		for i := range rec {
			rec[i] = Unescape(rec[i])
		}
		row(line, rec)
	}
}

// delimiter guesses the separator from the first line: the most frequent
// of comma, semicolon and tab outside quotes (comma on a tie).
func delimiter(br *bufio.Reader) rune {
	peek, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(peek, '\n'); i >= 0 {
		peek = peek[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, b := range peek {
		switch {
		case b == '"':
			quoted = !quoted
		case !quoted && (b == ',' || b == ';' || b == '\t'):
			counts[b]++
		}
	}
	best := byte(',')
	for _, b := range []byte{';', '\t'} {
		if counts[b] > counts[best] {
			best = b
		}
	}
	return rune(best)
}

func sepName(r rune) string {
	switch r {
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return "comma"
}

// decode turns cells that are not UTF-8 from Windows-1252 into UTF-8.
func decode(rec []string) {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			if s, err := charmap.Windows1252.NewDecoder().String(f); err == nil {
				rec[i] = s
			}
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

// lineOf returns the line where a CSV syntax error's record starts.
func lineOf(err error, fallback int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) && pe.StartLine > 0 {
		return pe.StartLine
	}
	return fallback
}

func problem(err error, lim *limitReader) string {
	if lim.over || errors.Is(err, errTooLong) {
		return fmt.Sprintf("the row is longer than %d KB (an unclosed quote, or a cell far too long); rows after it were not checked", MaxRecordBytes>>10)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("broken CSV at line %d, column %d: %v (a quote inside a cell must be doubled: \"\"); rows after it were not checked", pe.Line, pe.Column, pe.Err)
	}
	return fmt.Sprintf("reading the file: %v", err)
}
