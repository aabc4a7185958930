package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// One data folder, one server. The process that serves the embedded
// store's files holds an exclusive lock (flock) on LockFile in the data
// folder for as long as it runs, and listens on SocketFile there besides its
// loopback TCP port. Any other process that wants the same data folder —
// `presidio user add` while the bot runs, a second `presidio` — connects
// through that socket as a client instead of opening the SQLite files a
// second time (two FerretDB instances on one set of files do not see each
// other's collections and corrupt each other's work).
const (
	// LockFile is held (flock) by the process serving the data folder.
	LockFile = "presidio.lock"
	// SocketFile is the Unix socket the serving process listens on.
	SocketFile = "presidio.sock"
)

// maxSocketPath is the longest Unix socket path Linux accepts (sun_path
// holds 108 bytes with the final NUL).
const maxSocketPath = 107

// ErrDataDirInUse means another process serves the data folder.
var ErrDataDirInUse = errors.New("the data folder is in use by another presidio process")

// SocketPath is the Unix socket of the process serving dataDir.
func SocketPath(dataDir string) string {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	return filepath.Join(abs, SocketFile)
}

// SocketURI is the mongodb:// address of a Unix socket.
func SocketURI(path string) string {
	return "mongodb://" + url.PathEscape(path) + "/"
}

// socketAnswers reports whether a server accepts connections on path.
func socketAnswers(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// lockDataDir takes the data folder's lock without waiting and writes this
// process's id into the lock file. The returned function releases it. When
// another process holds the lock, the error wraps ErrDataDirInUse and names
// that process.
func lockDataDir(abs string) (unlock func(), err error) {
	path := filepath.Join(abs, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("embedded store: lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := lockHolder(f)
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s (%s)", ErrDataDirInUse, abs, holder)
		}
		return nil, fmt.Errorf("embedded store: locking %s: %w", path, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

func lockHolder(f *os.File) string {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	if pid := strings.TrimSpace(string(b[:n])); pid != "" {
		return "pid " + pid
	}
	return "pid unknown"
}

// prepareSocket gives the socket path the serving process listens on,
// after removing a socket left by a process that died without closing it
// (the caller holds the lock, so no live server can own it). It returns ""
// when the process does not share its store (a short-lived command), or
// when the path is too long for a Unix socket: the store then serves only
// its own process, and other processes wait until it stops.
func prepareSocket(abs string, share bool, logger *slog.Logger) string {
	path := filepath.Join(abs, SocketFile)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		logger.Warn("store: could not remove an old socket", "socket", path, "error", err)
	}
	if !share {
		return ""
	}
	if len(path) > maxSocketPath {
		logger.Warn("store: the data folder's path is too long for a Unix socket; other presidio commands cannot reach this store while it runs", "socket", path)
		return ""
	}
	return path
}

// lockWait bounds how long openLocal waits for a process that holds the
// data folder without serving it on the socket: one starting up, or a
// short-lived command (a CSV import) finishing.
const lockWait = 30 * time.Second

// openLocal gives the embedded store of cfg.DataDir: through the socket
// of the process that serves it when one answers (e is nil then: nothing to
// stop), else by starting it in this process, on the socket too unless
// cfg.Command. A process that holds the lock but does not answer on the
// socket is waited for up to lockWait.
//
// A long-running client (not cfg.Command) also gets an adopter, which
// starts the store here if the serving process goes away (adopt.go).
func openLocal(ctx context.Context, cfg Config, logger *slog.Logger) (e *Embedded, a *adopter, uri string, err error) {
	abs, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, nil, "", fmt.Errorf("embedded store: data dir %q: %w", cfg.DataDir, err)
	}
	sock := filepath.Join(abs, SocketFile)
	deadline := time.Now().Add(lockWait)
	for {
		if socketAnswers(sock) {
			logger.Info("store: another presidio process serves this data folder; using it through its socket", "socket", sock)
			if !cfg.Command {
				a = startAdopting(abs, logger)
			}
			return nil, a, SocketURI(sock), nil
		}
		e, err := startEmbedded(ctx, abs, "127.0.0.1:0", !cfg.Command, false, logger)
		if err == nil {
			return e, nil, e.URI(), nil
		}
		if !errors.Is(err, ErrDataDirInUse) || time.Now().After(deadline) {
			if errors.Is(err, ErrDataDirInUse) {
				return nil, nil, "", fmt.Errorf("store: %w, which did not let other processes in within %s: try again when it has finished", err, lockWait)
			}
			return nil, nil, "", err
		}
		select {
		case <-ctx.Done():
			return nil, nil, "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
