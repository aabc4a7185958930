package directory

import (
	"bytes"
	"context"
	"io"

	"github.com/prils-lazio/presidio/internal/csvrows"
)

// ExportXLSX writes what Export writes as an Excel workbook with one sheet
// "services", the same columns, numbers as numbers. Import reads it back.
func (d *Directory) ExportXLSX(ctx context.Context, w io.Writer) error {
	var buf bytes.Buffer
	if err := d.Export(ctx, &buf); err != nil {
		return err
	}
	sheet, err := csvrows.CSVToSheet("services", buf.Bytes())
	if err != nil {
		return err
	}
	return csvrows.WriteXLSX(w, []csvrows.Sheet{sheet})
}
