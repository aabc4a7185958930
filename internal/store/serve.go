package store

import (
	"context"
	"fmt"
	"log/slog"
	"net"
)

// Serve starts the embedded store of dir alone, for other processes: it
// speaks the MongoDB wire protocol on the TCP address listen and on the data
// folder's socket, so several Presidio processes on one machine share it
// with MONGODB_URI=mongodb://ADDR/. It refuses an address that is not on
// the loopback interface: FerretDB serves the SQLite files with no
// authentication. The returned Store is the server's own client: through it
// the served files get the same upkeep as a Presidio's own embedded store;
// Close stops the server (files closed, lock released). An error wrapping
// ErrDataDirInUse means another process already serves dir.
func Serve(ctx context.Context, dir, listen string, logger *slog.Logger) (*Store, error) {
	if err := checkLoopback(listen); err != nil {
		return nil, err
	}
	return Open(ctx, Config{DataDir: dir, serveOn: listen}, logger)
}

// Served gives the addresses the embedded store started by this process
// listens on: its mongodb:// URI and its Unix socket ("" for none). Both
// are empty when this process does not serve the store.
func (s *Store) Served() (uri, socket string) {
	if s.embedded == nil {
		return "", ""
	}
	return s.embedded.URI(), s.embedded.Socket()
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not a host:port address", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address: the served store has no authentication, so it only listens on this machine (use MongoDB to share a store between machines)", addr)
}
