package courses

import (
	"bytes"
	"context"
	"io"

	"github.com/prils-lazio/presidio/internal/csvrows"
)

// ExportXLSX writes what Export writes as an Excel workbook with one sheet
// "courses", the same columns, numbers as numbers. Import reads it back.
func (c *Courses) ExportXLSX(ctx context.Context, w io.Writer) error {
	var buf bytes.Buffer
	if err := c.Export(ctx, &buf); err != nil {
		return err
	}
	sheet, err := csvrows.CSVToSheet("courses", buf.Bytes())
	if err != nil {
		return err
	}
	return csvrows.WriteXLSX(w, []csvrows.Sheet{sheet})
}
