package directory

import (
	"context"
	"io"
)

// Import reads a CSV file or, when name ends in .xlsx, an Excel workbook
// (see ParseFile) and upserts its services, all or
// nothing: when the file has any problem it returns FileErrors with every
// problem and writes nothing. Services not in the file are left alone; a
// row replaces its whole service (a retired one comes back unless the row
// says retired=true).
func (d *Directory) Import(ctx context.Context, name string, r io.Reader) (UpsertResult, error) {
	services, errs := ParseFile(name, r)
	if len(errs) > 0 {
		return UpsertResult{}, FileErrors(errs)
	}
	return d.Upsert(ctx, services)
}

// Export writes every service, retired ones included, sorted by ID, with
// WriteCSV. It reads the store, not the in-memory copy.
func (d *Directory) Export(ctx context.Context, w io.Writer) error {
	all, err := d.load(ctx)
	if err != nil {
		return err
	}
	return WriteCSV(w, all)
}
