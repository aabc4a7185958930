package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/prils-lazio/presidio/internal/config"
	"github.com/prils-lazio/presidio/internal/store"
)

// The operator's commands on the store itself:
//
//	presidio store serve [-listen 127.0.0.1:27017]   # the embedded store alone, for several processes
//	presidio store copy -to MONGODB_URI [-overwrite] # every collection and index to another store
//	presidio backup FILE                             # snapshot of the embedded store, also while it runs
//	presidio restore FILE                            # into an empty PRESIDIO_DATA_DIR
var opsCommands = map[string]func(args []string, cfg config.Config, stdout, stderr io.Writer) int{
	"store":   runStore,
	"backup":  runBackup,
	"restore": runRestore,
}

const storeUsage = `usage: presidio store serve [-listen ADDR]
       presidio store copy -to MONGODB_URI [-overwrite]`

// runOps reads the settings (PRESIDIO_DATA_DIR, MONGODB_URI) and runs one
// of opsCommands.
func runOps(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := config.Parse(nil, getenv, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "presidio: %v\n", err)
		return 2
	}
	return opsCommands[args[0]](args[1:], cfg, stdout, stderr)
}

func runStore(args []string, cfg config.Config, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, storeUsage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runStoreServe(args[1:], cfg, stderr)
	case "copy":
		return runStoreCopy(args[1:], cfg, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, storeUsage)
		return 0
	}
	fmt.Fprintln(stderr, storeUsage)
	return 2
}

// runStoreServe serves PRESIDIO_DATA_DIR's embedded store until SIGTERM or
// SIGINT, then closes its files and exits 0.
func runStoreServe(args []string, cfg config.Config, stderr io.Writer) int {
	fs := flag.NewFlagSet("presidio store serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:27017", "loopback TCP address to serve the MongoDB wire protocol on")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		if err == nil {
			fmt.Fprintln(stderr, storeUsage)
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if cfg.MongoURI != "" {
		fmt.Fprintln(stderr, "presidio store serve: MONGODB_URI is set; store serve serves the embedded store of PRESIDIO_DATA_DIR: unset MONGODB_URI for this command")
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	st, err := store.Serve(ctx, cfg.DataDir, *listen, log)
	if errors.Is(err, store.ErrDataDirInUse) {
		fmt.Fprintf(stderr, "presidio store serve: %v: stop it first (one process serves a data folder)\n", err)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "presidio store serve: %v\n", err)
		return 1
	}
	log.Info("serving the embedded store: set MONGODB_URI to the address for the Presidio processes that share it",
		"data_dir", cfg.DataDir, "address", st.URI(), "socket", st.Socket())
	<-ctx.Done()
	st.Close()
	log.Info("stopped cleanly")
	return 0
}

// runStoreCopy copies the configured store (MONGODB_URI, or the embedded
// store of PRESIDIO_DATA_DIR, through a running process's socket if one
// serves it) to the store at -to.
func runStoreCopy(args []string, cfg config.Config, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("presidio store copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	to := fs.String("to", "", "MongoDB connection string of the target (the copy goes to its database presidio, the one Presidio uses)")
	overwrite := fs.Bool("overwrite", false, "replace the target's collections of the same names instead of refusing a non-empty target")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *to == "" {
		if err == nil {
			fmt.Fprintln(stderr, storeUsage)
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	src, err := store.Open(ctx, store.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir, Command: true}, log)
	if err != nil {
		fmt.Fprintf(stderr, "presidio store copy: %v\n", err)
		return 1
	}
	defer src.Close(ctx)
	client, target, err := store.ConnectTarget(ctx, *to, store.DefaultDatabase)
	if err != nil {
		fmt.Fprintf(stderr, "presidio store copy: -to: %v\n", err)
		return 1
	}
	defer client.Disconnect(ctx)
	var docs int64
	copied, err := src.CopyTo(ctx, target, store.CopyOptions{Overwrite: *overwrite, Progress: func(c store.CopiedCollection) {
		docs += c.Documents
		fmt.Fprintf(stdout, "%s\t%d documents\t%d indexes\n", c.Name, c.Documents, c.Indexes)
	}})
	if errors.Is(err, store.ErrTargetNotEmpty) {
		fmt.Fprintf(stderr, "presidio store copy: %v: nothing copied; add -overwrite to replace the target's collections\n", err)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "presidio store copy: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "copied %d collections, %d documents, to database %q; counts checked\n", len(copied), docs, target.Name())
	return 0
}

func runBackup(args []string, cfg config.Config, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
		fmt.Fprintln(stderr, "usage: presidio backup FILE   (a snapshot of the embedded store in PRESIDIO_DATA_DIR, also while Presidio runs)")
		return 2
	}
	if cfg.MongoURI != "" {
		fmt.Fprintln(stderr, "presidio backup: MONGODB_URI is set: back MongoDB up with mongodump (see the README); presidio backup saves the embedded store")
		return 2
	}
	m, err := store.Backup(context.Background(), cfg.DataDir, args[0])
	if err != nil {
		fmt.Fprintf(stderr, "presidio backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "backup written to %s: %d documents, taken at %s\n", args[0], m.Documents(), m.CreatedAt.Format("2006-01-02 15:04:05 UTC"))
	return 0
}

func runRestore(args []string, cfg config.Config, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
		fmt.Fprintln(stderr, "usage: presidio restore FILE   (into PRESIDIO_DATA_DIR, which must be empty or missing)")
		return 2
	}
	if cfg.MongoURI != "" {
		fmt.Fprintln(stderr, "presidio restore: MONGODB_URI is set: restore MongoDB with mongorestore (see the README); presidio restore fills an empty PRESIDIO_DATA_DIR")
		return 2
	}
	m, err := store.Restore(context.Background(), args[0], cfg.DataDir)
	if err != nil {
		fmt.Fprintf(stderr, "presidio restore: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "restored %d documents into %s (backup taken at %s); start Presidio on it\n", m.Documents(), cfg.DataDir, m.CreatedAt.Format("2006-01-02 15:04:05 UTC"))
	return 0
}
