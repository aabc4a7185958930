package translations

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Usage is the help of `presidio translations`.
const Usage = `usage:
  presidio translations status [-dir locales]                       per language: complete, stale, not reviewed
  presidio translations export [-dir locales] -lang fa [-todo] > fa.csv   a sheet for a translator or reviewer
  presidio translations import [-dir locales] fa.csv                 write the sheet back (all or nothing)
  presidio translations stamp  [-dir locales] [-lang fa]             record today's Italian text as the source
                                                                   of translations that have no hash yet
`

// RunCLI runs `presidio translations …` with args after "translations" and
// returns the exit code: 0 when done (status: also when some languages are
// incomplete), 1 when the files or the sheet have problems (reported as
// FILE:LINE: what is wrong, with nothing written), 2 for a bad command.
func RunCLI(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, Usage)
		return 2
	}
	fs := flag.NewFlagSet("presidio translations "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "locales", "the locales folder (active.<lang>.toml, reviews.csv)")
	lang := fs.String("lang", "", "language tag, e.g. fa")
	todo := fs.Bool("todo", false, "export: only what is not reviewed yet")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "presidio translations %s: %v\n", args[0], err)
		return 1
	}
	w, err := Open(*dir)
	if err != nil {
		return fail(err)
	}
	switch args[0] {
	case "status":
		printStatus(stdout, w.Status())
		return 0
	case "export":
		if *lang == "" {
			fmt.Fprintln(stderr, "presidio translations export: -lang is required, e.g. -lang fa")
			return 2
		}
		if err := w.Export(stdout, *lang, *todo); err != nil {
			return fail(err)
		}
		return 0
	case "import":
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "presidio translations import: give one CSV file, e.g. presidio translations import fa.csv")
			return 2
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fail(err)
		}
		defer f.Close()
		res, err := w.Import(fs.Arg(0), f, time.Now())
		if err != nil {
			fmt.Fprintln(stderr, err)
			fmt.Fprintln(stderr, "presidio translations import: nothing written")
			return 1
		}
		fmt.Fprintf(stdout, "%d translations updated, %d confirmed for today's Italian text, %d marked reviewed\n", res.Updated, res.Restamp, res.Reviewed)
		return 0
	case "stamp":
		n, err := w.Stamp(*lang)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "%d translations stamped with the hash of today's Italian text\n", n)
		return 0
	}
	fmt.Fprintf(stderr, "presidio translations: unknown command %q\n%s", args[0], Usage)
	return 2
}

func printStatus(out io.Writer, sums []Summary) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "lang\tlanguage\tmessages\tcomplete\tmissing\tstale\tno source hash\tnot reviewed\treviewed")
	for _, s := range sums {
		complete := "yes"
		if !s.Complete() {
			complete = "NO"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\n", s.Language.Tag, s.Language.Name, s.Messages, complete,
			s.Count[Missing], s.Count[Stale], s.Count[Unhashed], s.Count[Translated], s.Count[Reviewed])
	}
	tw.Flush()
	for _, s := range sums {
		if len(s.StaleIDs) > 0 {
			fmt.Fprintf(out, "stale in %s (made from an older Italian text): %s\n", s.Language.Tag, strings.Join(s.StaleIDs, ", "))
		}
	}
}
