package csvrows

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// MaxXLSXBytes bounds what ReadXLSX unpacks of a workbook; worksheets
// larger than the in-memory limit are unpacked to a temporary file by
// excelize and read as a stream.
const (
	MaxXLSXBytes   = 512 << 20
	xlsxInMemBytes = 16 << 20
)

// IsXLSX reports whether a file name is an Excel workbook by its
// extension (case-insensitive).
func IsXLSX(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".xlsx")
}

// ReadXLSX reads the first sheet of an Excel workbook like Read reads a
// CSV file, and returns the sheet's name: the line passed to fail and row
// is the spreadsheet's row number (the header is row 1). Cells are read as
// stored, without the cell's number format: a date typed into a cell
// arrives as its serial number ("45936"), a time as a fraction of a day
// ("0.75"); the parsers on top read both (see SerialDate, SerialClock).
func ReadXLSX(r io.Reader, emptyHint string, fail Fail, header func([]string) bool, row func(line int, rec []string)) string {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: MaxXLSXBytes, UnzipXMLSizeLimit: xlsxInMemBytes})
	if err != nil {
		fail(1, "this is not an Excel workbook (.xlsx) that can be read: %v", err)
		return ""
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		fail(1, "the workbook has no sheet")
		return ""
	}
	sheet := sheets[0]
	rows, err := f.Rows(sheet)
	if err != nil {
		fail(1, "reading sheet %q: %v", sheet, err)
		return sheet
	}
	defer rows.Close()
	var head []string
	n, count := 0, 0
	for rows.Next() {
		n++
		rec, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			fail(n, "reading the row: %v", err)
			return sheet
		}
		if head == nil {
			if blank(rec) {
				fail(n, "the first row must name the columns (%s)", emptyHint)
				return sheet
			}
			head = trimTrailingEmpty(rec)
			if !header(head) {
				return sheet
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if count++; count > MaxRows {
			fail(n, "the sheet has more than %d rows: split it", MaxRows)
			return sheet
		}
		if size := cellsSize(rec); size > MaxRecordBytes {
			fail(n, "the row is longer than %d KB (a cell far too long)", MaxRecordBytes>>10)
			continue
		}
		rec = trimTrailingEmpty(rec)
		if len(rec) > len(head) {
			fail(n, "the row has cells in %d columns but the header names %d", len(rec), len(head))
			continue
		}
		for len(rec) < len(head) {
			rec = append(rec, "")
		}
		for i := range rec {
			rec[i] = Unescape(rec[i])
		}
		row(n, rec)
	}
	if err := rows.Error(); err != nil {
		fail(n, "reading sheet %q: %v", sheet, err)
	}
	if head == nil {
		fail(1, "the sheet %q is empty: the first row must name the columns (%s)", sheet, emptyHint)
	}
	return sheet
}

func trimTrailingEmpty(rec []string) []string {
	for len(rec) > 0 && strings.TrimSpace(rec[len(rec)-1]) == "" {
		rec = rec[:len(rec)-1]
	}
	return rec
}

func cellsSize(rec []string) int {
	n := 0
	for _, c := range rec {
		n += len(c)
	}
	return n
}

// Sheet is one table of a workbook WriteXLSX writes: a name (at most 31
// characters, as Excel allows) and rows, the first naming the columns.
type Sheet struct {
	Name string
	Rows [][]string
}

// WriteXLSX writes the sheets as one workbook, in order, every cell as
// text but for cells that are whole numbers, written as numbers so that
// a spreadsheet can add them up.
func WriteXLSX(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		name := s.Name
		if len(name) > 31 {
			name = name[:31]
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("xlsx: %w", err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		for r, rec := range s.Rows {
			cells := make([]any, len(rec))
			for c, v := range rec {
				cells[c] = cellValue(v, r == 0)
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := sw.SetRow(cell, cells); err != nil {
				return fmt.Errorf("xlsx: %w", err)
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// cellValue keeps header cells and anything but a plain whole number
// (no leading zero, at most 15 digits) as text.
func cellValue(v string, header bool) any {
	if header || v == "" || len(v) > 15 || (len(v) > 1 && v[0] == '0') {
		return v
	}
	n := 0
	for _, r := range v {
		if r < '0' || r > '9' {
			return v
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// CSVToSheet reads a whole CSV document (as the packages' WriteCSV write
// it) into a Sheet, so that every export has an XLSX form with the same
// columns. Formula escapes are taken off: WriteXLSX writes every cell as
// text or a number, never as a formula.
func CSVToSheet(name string, csvText []byte) (Sheet, error) {
	recs, err := csv.NewReader(bytes.NewReader(csvText)).ReadAll()
	if err != nil {
		return Sheet{}, fmt.Errorf("xlsx: %w", err)
	}
	// A workbook's text cells are never formulas: the CSV's escapes go.
	for _, rec := range recs {
		for i := range rec {
			rec[i] = Unescape(rec[i])
		}
	}
	return Sheet{Name: name, Rows: recs}, nil
}

// WriteFileAtomic writes path through write into a temporary file in the
// same folder, renamed over path only when everything was written.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
