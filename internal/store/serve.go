package store

import (
	"context"
	"fmt"
	"log/slog"
	"net"
)

// Server is the embedded store served alone (`presidio store serve`).
type Server struct {
	st *Store // no client: only the served files and their upkeep
}

// Serve starts the embedded store of dir alone, for other processes: it
// speaks the MongoDB wire protocol on the TCP address listen and on the data
// folder's socket, so several Presidio processes on one machine share it
// with MONGODB_URI=mongodb://ADDR/. It refuses an address that is not on
// the loopback interface: FerretDB serves the SQLite files with no
// authentication. The served files get the same upkeep as a Presidio's own
// embedded store (the _id lookup index on new collections); nothing is
// written into the database itself, so a new folder serves an empty store
// (a target for `presidio store copy`). An error wrapping ErrDataDirInUse
// means another process already serves dir.
func Serve(ctx context.Context, dir, listen string, logger *slog.Logger) (*Server, error) {
	if err := checkLoopback(listen); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	e, err := startEmbedded(ctx, dir, listen, true, true, logger)
	if err != nil {
		return nil, err
	}
	e.files.served = true // its clients write through FerretDB
	st := &Store{embedded: e, Embedded: true}
	// The embedded upkeep Store.Open starts for a store it serves.
	if err := e.files.migrateAutoVacuum(ctx); err != nil {
		_ = st.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := st.IndexNewCollections(ctx); err != nil {
		_ = st.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	st.maintainDone = make(chan struct{})
	maintainCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	st.stopMaintain = cancel
	go st.maintain(maintainCtx, logger)
	return &Server{st: st}, nil
}

// URI is the server's mongodb:// address on TCP.
func (s *Server) URI() string { return s.st.embedded.URI() }

// Socket is the server's Unix socket ("" when the folder's path is too long).
func (s *Server) Socket() string { return s.st.embedded.Socket() }

// Close stops the server: connections end, files are closed, the data
// folder's lock is released.
func (s *Server) Close() { _ = s.st.Close(context.Background()) }

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
