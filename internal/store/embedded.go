package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is a FerretDB server on SQLite running inside this process. It
// speaks the MongoDB wire protocol on a loopback port, so the rest of the
// program talks to it through mongo-driver exactly as it would to MongoDB.
//
// Its measured limits (see docs/ARCHITECTURE.md): conditional updates are not
// atomic under concurrency, and there are no transactions, change streams,
// TTL indexes or $expr. Code in this package never relies on them.
type Embedded struct {
	uri    string
	files  *sqliteFiles
	cancel context.CancelFunc
	done   chan struct{}
	// socket and unlock: see local.go (one data folder, one server).
	socket string
	unlock func()
}

// StartEmbedded starts FerretDB with its SQLite files under dir (created if
// missing) and returns once it accepts connections. Stop it with Close.
// It holds the data folder's lock and listens on its socket besides a
// loopback port (local.go); an error wrapping ErrDataDirInUse means another
// process serves dir.
func StartEmbedded(ctx context.Context, dir string, logger *slog.Logger) (*Embedded, error) {
	return startEmbedded(ctx, dir, "127.0.0.1:0", true, true, logger)
}

// startEmbedded is StartEmbedded listening on the TCP address tcp, and on
// the data folder's socket if share. With syncEachCommit false, commits are
// synced only by Store.Durable and by the store's own once-a-second pass
// (durable.go): for a store whose writers all run on this machine and
// know its data folder.
func startEmbedded(ctx context.Context, dir, tcp string, share, syncEachCommit bool, logger *slog.Logger) (*Embedded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded store: data dir %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("embedded store: creating data dir: %w", err)
	}
	if logger == nil {
		logger = slog.Default()
	}
	unlock, err := lockDataDir(abs)
	if err != nil {
		return nil, err
	}
	socket := prepareSocket(abs, share, logger)
	pragmas := sqlitePragmas
	if !syncEachCommit {
		pragmas += syncAtBarriers
	}
	// FerretDB logs every connection at info; keep only its errors.
	quiet := slog.New(levelFilter{min: slog.LevelError, h: logger.Handler()})
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: tcp, Unix: socket},
		Logger:    quiet,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/?" + pragmas,
	})
	if err != nil {
		unlock()
		return nil, fmt.Errorf("embedded store: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &Embedded{cancel: cancel, done: make(chan struct{}), files: newSQLiteFiles(abs, pragmas, logger), socket: socket, unlock: unlock}
	go func() {
		defer close(e.done)
		_ = f.Run(runCtx)
	}()
	uriCh := make(chan string, 1)
	go func() { uriCh <- f.MongoDBURI() }()
	select {
	case e.uri = <-uriCh:
	case <-time.After(30 * time.Second):
		e.Close()
		return nil, errors.New("embedded store: FerretDB did not start listening within 30s")
	}
	return e, nil
}

// URI is the mongodb:// address of the embedded server.
func (e *Embedded) URI() string { return e.uri }

// Socket is the Unix socket other processes reach this server on ("" when
// the data folder's path is too long for one).
func (e *Embedded) Socket() string { return e.socket }

// Close stops the server, waits until its files are closed and releases
// the data folder.
func (e *Embedded) Close() {
	e.cancel()
	<-e.done
	e.files.close()
	e.unlock()
}

// levelFilter passes on records at or above min. Attributes added with
// WithAttrs are kept aside and given to the real handler only when a
// record passes: FerretDB adds the SQL of every statement, and formatting
// it for records that are dropped cost ~5% of the bot's CPU.
type levelFilter struct {
	min   slog.Level
	h     slog.Handler
	attrs []slog.Attr
}

func (l levelFilter) Enabled(ctx context.Context, lv slog.Level) bool {
	return lv >= l.min && l.h.Enabled(ctx, lv)
}

func (l levelFilter) Handle(ctx context.Context, r slog.Record) error {
	h := l.h
	if len(l.attrs) > 0 {
		h = h.WithAttrs(l.attrs)
	}
	return h.Handle(ctx, r)
}

func (l levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{min: l.min, h: l.h, attrs: append(l.attrs[:len(l.attrs):len(l.attrs)], a...)}
}

func (l levelFilter) WithGroup(n string) slog.Handler {
	h := l.h
	if len(l.attrs) > 0 {
		h = h.WithAttrs(l.attrs) // attributes before the group stay outside it
	}
	return levelFilter{min: l.min, h: h.WithGroup(n)}
}
