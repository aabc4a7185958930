package courses

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/prils-lazio/presidio/internal/csvrows"
)

const usage = "usage: presidio courses import FILE | export [FILE.xlsx]"

const help = usage + `

  import FILE      add or update the courses of FILE (CSV, with "," or
                   ";", UTF-8 or Windows-1252; or an Excel .xlsx, first
                   sheet) by id, all or nothing, even if the process is
                   killed: any problem in the file (including seats
                   lowered below the places already taken) is reported as
                   FILE:LINE (for .xlsx: sheet and row) and nothing is
                   imported
  export           write every course as CSV to standard output, with the
                   enrolled and waiting counts
  export F.xlsx    the same as an Excel workbook, written to F.xlsx
`

// RunCLI runs "presidio courses ARGS..." and returns the exit code: 0 on
// success, 1 when the command failed (file refused, store error), 2 for bad
// usage (with the usage line on stderr). import prints each problem of the
// file as "FILE:LINE: what is wrong" on stderr; on success it prints
// "imported N courses (M new, K updated)" on stdout, with ", U unchanged"
// inside the parentheses when some rows matched the stored courses.
func RunCLI(ctx context.Context, c *Courses, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, help)
		return 0
	}
	wantArgs := map[string]int{"import": 2, "export": 1}
	n, known := wantArgs[args[0]]
	if !known {
		fmt.Fprintf(stderr, "presidio courses: unknown command %q\n%s\n", args[0], usage)
		return 2
	}
	if args[0] == "export" && len(args) == 2 && csvrows.IsXLSX(args[1]) {
		return exportXLSX(args[1], func(w io.Writer) error { return c.ExportXLSX(ctx, w) }, "presidio courses", stderr)
	}
	if len(args) != n {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if args[0] == "export" {
		if err := c.Export(ctx, stdout); err != nil {
			fmt.Fprintf(stderr, "presidio courses: %v\n", err)
			return 1
		}
		return 0
	}
	return cliImport(ctx, c, args[1], stdout, stderr)
}

func cliImport(ctx context.Context, c *Courses, path string, stdout, stderr io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "presidio courses: %v\n", err)
		return 1
	}
	defer f.Close()
	res, err := c.Import(ctx, path, f)
	var fe FileErrors
	if errors.As(err, &fe) {
		for _, e := range fe {
			fmt.Fprintln(stderr, e)
		}
		fmt.Fprintf(stderr, "presidio courses: nothing imported (%d problems in %s)\n", len(fe), path)
		return 1
	}
	if err != nil && res.New+res.Updated > 0 {
		// The new catalogue is in; a course whose seats went down while
		// people enrolled kept its old seats.
		fmt.Fprintf(stderr, "presidio courses: imported, except: %v\n", err)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "presidio courses: nothing imported: %v\n", err)
		return 1
	}
	unchanged := ""
	if res.Unchanged > 0 {
		unchanged = fmt.Sprintf(", %d unchanged", res.Unchanged)
	}
	fmt.Fprintf(stdout, "imported %d courses (%d new, %d updated%s)\n", res.New+res.Updated+res.Unchanged, res.New, res.Updated, unchanged)
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
