package directory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/prils-lazio/presidio/internal/csvrows"

	"github.com/prils-lazio/presidio/internal/store"
)

const usage = "usage: presidio directory import FILE | export [FILE.xlsx] | retire ID | sample"

const help = usage + `

  import FILE      add or update the services of FILE (CSV, with "," or
                   ";", UTF-8 or Windows-1252; or an Excel .xlsx, first
                   sheet), all or nothing, even if the process is killed:
                   any problem in the file is reported as FILE:LINE (for
                   .xlsx: sheet and row) and nothing is imported
  export           write every service as CSV to standard output
  export F.xlsx    the same as an Excel workbook, written to F.xlsx
  retire ID        take a service out of lists and searches
  sample           load the sample services of the Castelli Romani, only
                   when the directory is empty
`

// RunCLI runs "presidio directory ARGS..." and returns the exit code: 0 on
// success, 1 when the command failed (nothing imported, store error), 2 for
// bad usage (with the usage line on stderr). import prints each problem of
// the file as "FILE:LINE: what is wrong" on stderr; on success it prints
// "imported N services (M new, K updated)" on stdout, with ", U unchanged"
// inside the parentheses when some rows matched the stored services.
func RunCLI(ctx context.Context, d *Directory, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	wantArgs := map[string]int{"import": 2, "export": 1, "retire": 2, "sample": 1}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, help)
		return 0
	}
	n, known := wantArgs[args[0]]
	if !known {
		fmt.Fprintf(stderr, "presidio directory: unknown command %q\n%s\n", args[0], usage)
		return 2
	}
	if args[0] == "export" && len(args) == 2 && csvrows.IsXLSX(args[1]) {
		return exportXLSX(args[1], func(w io.Writer) error { return d.ExportXLSX(ctx, w) }, "presidio directory", stderr)
	}
	if len(args) != n {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	switch args[0] {
	case "import":
		return cliImport(ctx, d, args[1], stdout, stderr)
	case "export":
		if err := d.Export(ctx, stdout); err != nil {
			fmt.Fprintf(stderr, "presidio directory: %v\n", err)
			return 1
		}
	case "retire":
		if err := d.Retire(ctx, args[1]); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				fmt.Fprintf(stderr, "presidio directory: no service with id %q\n", args[1])
			} else {
				fmt.Fprintf(stderr, "presidio directory: %v\n", err)
			}
			return 1
		}
		fmt.Fprintf(stdout, "retired %s\n", args[1])
	case "sample":
		n, err := d.LoadSample(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "presidio directory: %v\n", err)
			return 1
		}
		if n == 0 {
			fmt.Fprintln(stdout, "the directory is not empty: sample services not loaded")
		} else {
			fmt.Fprintf(stdout, "loaded %d sample services\n", n)
		}
	}
	return 0
}

func cliImport(ctx context.Context, d *Directory, path string, stdout, stderr io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "presidio directory: %v\n", err)
		return 1
	}
	defer f.Close()
	res, err := d.Import(ctx, path, f)
	var fe FileErrors
	if errors.As(err, &fe) {
		for _, e := range fe {
			fmt.Fprintln(stderr, e)
		}
		fmt.Fprintf(stderr, "presidio directory: nothing imported (%d problems in %s)\n", len(fe), path)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "presidio directory: nothing imported: %v\n", err)
		return 1
	}
	total := res.New + res.Updated + res.Unchanged
	unchanged := ""
	if res.Unchanged > 0 {
		unchanged = fmt.Sprintf(", %d unchanged", res.Unchanged)
	}
	fmt.Fprintf(stdout, "imported %d services (%d new, %d updated%s)\n", total, res.New, res.Updated, unchanged)
	return 0
}

// exportXLSX writes a workbook to path through a temporary file renamed
// into place, so a failed export leaves no half-written workbook.
func exportXLSX(path string, write func(io.Writer) error, prog string, stderr io.Writer) int {
	if err := csvrows.WriteFileAtomic(path, write); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	return 0
}
