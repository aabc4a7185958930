package courses

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

const usage = "usage: presidio courses import FILE.csv | export"

const help = usage + `

  import FILE.csv  add or update the courses of FILE.csv by id, all or
                   nothing: any problem in the file (including seats
                   lowered below the places already taken) is reported as
                   FILE:LINE and nothing is imported
  export           write every course as CSV to standard output, with the
                   enrolled and waiting counts
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
	if err != nil {
		fmt.Fprintf(stderr, "presidio courses: nothing imported or only part: %v (running the same import again completes it)\n", err)
		return 1
	}
	unchanged := ""
	if res.Unchanged > 0 {
		unchanged = fmt.Sprintf(", %d unchanged", res.Unchanged)
	}
	fmt.Fprintf(stdout, "imported %d courses (%d new, %d updated%s)\n", res.New+res.Updated+res.Unchanged, res.New, res.Updated, unchanged)
	return 0
}
