package observatory

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
)

const cliUsage = "usage: presidio observatory districts import FILE | districts export | rollup"

const cliHelp = cliUsage + `

  districts import FILE  replace the town → district table (CSV or .xlsx,
                         columns town, town_name, district, district_name,
                         lead_town, certainty, source), whole or not at
                         all: problems are reported as FILE:LINE
  districts export       write the table in use as CSV to standard output
                         (the shipped one until one is imported)
  rollup                 compact the finished days into roll-ups and day
                         views now (the server does it every hour) and drop
                         roll-ups and views older than five years
`

// RunCLI runs "presidio observatory ARGS..." and returns the exit code: 0
// on success, 1 when the command failed, 2 for bad usage.
func RunCLI(ctx context.Context, st *store.Store, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help"):
		fmt.Fprint(stdout, cliHelp)
		return 0
	case len(args) == 3 && args[0] == "districts" && args[1] == "import":
		f, err := os.Open(args[2])
		if err != nil {
			fmt.Fprintf(stderr, "presidio observatory: %v\n", err)
			return 1
		}
		defer f.Close()
		d, errs := ParseDistricts(args[2], f)
		if len(errs) > 0 {
			for _, e := range errs {
				fmt.Fprintln(stderr, e)
			}
			fmt.Fprintf(stderr, "presidio observatory: nothing imported (%d problems in %s)\n", len(errs), args[2])
			return 1
		}
		if err := SaveDistricts(ctx, st, d); err != nil {
			fmt.Fprintf(stderr, "presidio observatory: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "imported %d towns in %d districts\n", len(d.Rows), len(d.List()))
		return 0
	case len(args) == 2 && args[0] == "districts" && args[1] == "export":
		d, err := LoadDistricts(ctx, st)
		if err == nil {
			err = d.WriteCSV(stdout)
		}
		if err != nil {
			fmt.Fprintf(stderr, "presidio observatory: %v\n", err)
			return 1
		}
		return 0
	case len(args) == 1 && args[0] == "rollup":
		rd := NewReader(st)
		now := time.Now()
		n, err := rd.Rollup(ctx, now)
		if err == nil {
			_, err = rd.Expire(ctx, now.Add(-RollupRetention))
		}
		if err != nil {
			fmt.Fprintf(stderr, "presidio observatory: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "compacted %d days\n", n)
		return 0
	}
	fmt.Fprintln(stderr, cliUsage)
	return 2
}
