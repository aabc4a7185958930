package console

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
)

const userUsage = `usage: presidio user add -name NAME -role ROLE [-site SITE]   (password on standard input)
       presidio user list
       presidio user disable NAME`

const userHelp = userUsage + `

  add      create a console account; ROLE is coordinator (everything),
           operator (cases, directory), school (its own site's courses;
           -site is required) or partner (read the directory, send a
           referral note to a help point). The password (at least 10
           characters) is the first line of standard input.
  list     show every account
  disable  stop an account from logging in (its sessions end too)
`

// RunUserCLI runs "presidio user ARGS..." and returns the exit code: 0 on
// success, 1 when the command failed (store error, name taken, unknown
// account), 2 for bad usage (with the usage on stderr).
func RunUserCLI(ctx context.Context, st *store.Store, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, userUsage)
		return 2
	}
	users := NewUsers(st)
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, userHelp)
		return 0
	case "add":
		return cliAdd(ctx, st, users, args[1:], stdin, stdout, stderr)
	case "list":
		if len(args) != 1 {
			fmt.Fprintln(stderr, userUsage)
			return 2
		}
		list, err := users.List(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "presidio user: %v\n", err)
			return 1
		}
		for _, u := range list {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			site := u.Site
			if site == "" {
				site = "-"
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, site, state, u.Created.Format("2006-01-02"))
		}
		return 0
	case "disable":
		if len(args) != 2 {
			fmt.Fprintln(stderr, userUsage)
			return 2
		}
		if err := users.Disable(ctx, args[1]); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				fmt.Fprintf(stderr, "presidio user: no account named %q\n", args[1])
			} else {
				fmt.Fprintf(stderr, "presidio user: %v\n", err)
			}
			return 1
		}
		fmt.Fprintf(stdout, "disabled %s\n", args[1])
		return 0
	default:
		fmt.Fprintf(stderr, "presidio user: unknown command %q\n%s\n", args[0], userUsage)
		return 2
	}
}

func cliAdd(ctx context.Context, st *store.Store, users *Users, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("presidio user add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("name", "", "login name")
	role := fs.String("role", "", "coordinator, operator, school or partner")
	site := fs.String("site", "", "site ID (school accounts)")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "presidio user add: %v\n%s\n", err, userUsage)
		return 2
	}
	if fs.NArg() > 0 || *name == "" || *role == "" {
		fmt.Fprintf(stderr, "presidio user add: -name and -role are required\n%s\n", userUsage)
		return 2
	}
	if !Role(*role).Valid() {
		fmt.Fprintf(stderr, "presidio user add: unknown role %q (coordinator, operator, school, partner)\n", *role)
		return 2
	}
	if Role(*role) == RoleSchool && *site == "" {
		fmt.Fprintln(stderr, "presidio user add: a school account needs -site SITE")
		return 2
	}
	if *site != "" {
		sites, err := knownSites(ctx, st)
		if err != nil {
			fmt.Fprintf(stderr, "presidio user add: reading the sites: %v\n", err)
			return 1
		}
		if !slices.Contains(sites, *site) {
			if len(sites) == 0 {
				fmt.Fprintf(stderr, "presidio user add: site %q does not exist: no course has a site yet (import the courses first: presidio courses import FILE.csv)\n", *site)
			} else {
				fmt.Fprintf(stderr, "presidio user add: site %q does not exist; the sites are: %s\n", *site, strings.Join(sites, ", "))
			}
			return 2
		}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(stderr, "presidio user add: reading the password: %v\n", err)
		return 1
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		fmt.Fprintln(stderr, "presidio user add: no password on standard input (write it on the first line)")
		return 2
	}
	if _, err := users.Add(ctx, *name, Role(*role), *site, password); err != nil {
		if errors.Is(err, ErrUserExists) {
			fmt.Fprintf(stderr, "presidio user add: an account named %q exists already\n", *name)
		} else {
			fmt.Fprintf(stderr, "presidio user add: %v\n", err)
		}
		return 1
	}
	fmt.Fprintf(stdout, "added %s (%s)\n", *name, *role)
	return 0
}

// knownSites are the sites a school account may have: those of the
// courses in the catalogue, sorted.
func knownSites(ctx context.Context, st *store.Store) ([]string, error) {
	cs, err := courses.New(ctx, st, courses.Config{})
	if err != nil {
		return nil, err
	}
	list, err := cs.List(ctx)
	if err != nil {
		return nil, err
	}
	var sites []string
	for _, c := range list {
		if !slices.Contains(sites, c.Site) {
			sites = append(sites, c.Site)
		}
	}
	slices.Sort(sites)
	return sites, nil
}
