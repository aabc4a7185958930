package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
)

// errNoTable means the collection has no SQLite table yet (FerretDB makes
// it at the first write through it): the caller writes through FerretDB.
var errNoTable = errors.New("the collection has no table yet")

// directWriter writes the hot path's documents (updates received, messages
// queued and their outcomes, sessions) straight into the embedded store's
// SQLite tables, in FerretDB's own row format (sjsonDocument), one real
// transaction per call.
//
// Why: through FerretDB each command pays the wire protocol, BSON to
// FerretDB's types, an SQL statement parsed anew, and one transaction per
// command (an upsert is a read, a decode, an update and an encode). That
// was more than half of the bot's CPU, and SQLite has one writer, so it
// capped throughput (BENCHMARKS.md). Written directly, a batch of a
// commit — every outbox message, its pending copy and every session of up
// to 64 lanes — is one transaction of prepared statements, each row found
// through the _id index.
//
// What stays true: FerretDB keeps no copy of documents (it reads rows at
// every query), so what is written here is what every reader through the
// MongoDB API sees, at once; unique _id is enforced by FerretDB's own
// unique index, so an insert of an _id already there is a duplicate, as
// through FerretDB. It serves only the store this process opened itself
// (or adopted): a client through the socket or MONGODB_URI writes through
// the driver, which the fault-injection tests exercise.
type directWriter struct {
	files *sqliteFiles

	mu     sync.Mutex // one transaction at a time: SQLite has one writer anyway
	conns map[string]*directFile
	tables map[[2]string]string
}

// directFile is the writer's own connection to one database file, apart
// from the upkeep's (whose checkpoints may hold theirs for seconds), with
// its statements prepared once.
type directFile struct {
	db    *sql.DB
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

func newDirectWriter(f *sqliteFiles) *directWriter {
	return &directWriter{files: f, conns: map[string]*directFile{}, tables: map[[2]string]string{}}
}

// file returns the open connection to a database file (w.mu held).
func (w *directWriter) file(ctx context.Context, database string) (*directFile, error) {
	path := filepath.Join(w.files.dir, database+".sqlite")
	if f := w.conns[path]; f != nil {
		return f, nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+w.files.pragmas)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	f := &directFile{db: db, conn: conn, stmts: map[string]*sql.Stmt{}}
	w.conns[path] = f
	return f, nil
}

func (f *directFile) close() {
	for _, st := range f.stmts {
		_ = st.Close()
	}
	_ = f.conn.Close()
	_ = f.db.Close()
}

func (w *directWriter) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for p, f := range w.conns {
		f.close()
		delete(w.conns, p)
	}
	w.tables = map[[2]string]string{}
}

// tx runs f in one transaction on the database's file; f's writes land all
// together or not at all. The transaction takes the write lock when it
// begins (BEGIN IMMEDIATE), so one that reads before it writes never fails
// to upgrade its lock. errNoTable from f (or from a lookup) rolls back and
// is returned as is.
//
// The transaction is run by statements on one pinned connection rather
// than database/sql's Tx, so that the statements prepared on that
// connection serve every transaction (a Tx cannot use them without
// preparing them again, or a second connection, whose opening needs the
// lock the transaction holds).
func (w *directWriter) tx(ctx context.Context, database string, f func(*directTx) error) (err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	file, err := w.file(ctx, database)
	if err != nil {
		return err
	}
	if _, err := file.conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		w.drop(file, database)
		return err
	}
	t := &directTx{w: w, file: file, ctx: ctx, database: database}
	if err = f(t); err == nil {
		_, err = file.conn.ExecContext(ctx, `COMMIT`)
		if err == nil {
			return nil
		}
	}
	if _, rbErr := file.conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`); rbErr != nil && !strings.Contains(rbErr.Error(), "no transaction is active") {
		// The connection's state is unknown: start afresh next time.
		w.drop(file, database)
	}
	if isNoSuchTable(err) {
		w.tables = map[[2]string]string{}
		return errNoTable
	}
	return err
}

// drop closes a file's connection after an error that may have left it
// in an unknown state (w.mu held).
func (w *directWriter) drop(f *directFile, database string) {
	f.close()
	delete(w.conns, filepath.Join(w.files.dir, database+".sqlite"))
}

// directTx is one transaction of the direct writer.
type directTx struct {
	w        *directWriter
	file     *directFile
	ctx      context.Context
	database string
}

// table returns the SQLite table of a collection (remembered: FerretDB
// names a collection's table once, when it makes it).
func (t *directTx) table(collection string) (string, error) {
	key := [2]string{t.database, collection}
	if name, ok := t.w.tables[key]; ok {
		return name, nil
	}
	var name string
	err := t.file.conn.QueryRowContext(t.ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, collection).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) || isNoSuchTable(err) {
		return "", errNoTable
	}
	if err != nil {
		return "", fmt.Errorf("finding the table of %s: %w", collection, err)
	}
	t.w.tables[key] = name
	return name, nil
}

// stmt returns a statement prepared once on the writer's connection.
func (t *directTx) stmt(query string) (*sql.Stmt, error) {
	if st := t.file.stmts[query]; st != nil {
		return st, nil
	}
	st, err := t.file.conn.PrepareContext(t.ctx, query)
	if err != nil {
		return nil, err
	}
	t.file.stmts[query] = st
	return st, nil
}

// insert adds a document unless one with its _id is there; inserted says
// which happened. Another unique index of the collection refusing it counts
// as "there" too, as a duplicate key error does through the driver.
func (t *directTx) insert(collection string, doc []byte) (inserted bool, err error) {
	table, err := t.table(collection)
	if err != nil {
		return false, err
	}
	st, err := t.stmt(fmt.Sprintf(`INSERT OR IGNORE INTO %q (_ferretdb_sjson) VALUES (?)`, table))
	if err != nil {
		return false, err
	}
	res, err := st.ExecContext(t.ctx, string(doc))
	if err != nil {
		return false, fmt.Errorf("inserting into %s: %w", collection, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// get returns the stored document (its column, as FerretDB wrote it) with
// this string _id, or ok false.
func (t *directTx) get(collection, id string) (doc string, ok bool, err error) {
	table, err := t.table(collection)
	if err != nil {
		return "", false, err
	}
	st, err := t.stmt(fmt.Sprintf(`SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table))
	if err != nil {
		return "", false, err
	}
	err = st.QueryRowContext(t.ctx, sjsonID(id)).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading %s: %w", collection, err)
	}
	return doc, true, nil
}

// exists reports whether a document with this string _id is there.
func (t *directTx) exists(collection, id string) (bool, error) {
	table, err := t.table(collection)
	if err != nil {
		return false, err
	}
	st, err := t.stmt(fmt.Sprintf(`SELECT 1 FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table))
	if err != nil {
		return false, err
	}
	var one int
	err = st.QueryRowContext(t.ctx, sjsonID(id)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", collection, err)
	}
	return true, nil
}

// replace writes doc in place of the document with this string _id, or
// inserts it when there is none.
func (t *directTx) replace(collection, id string, doc []byte) error {
	table, err := t.table(collection)
	if err != nil {
		return err
	}
	st, err := t.stmt(fmt.Sprintf(`UPDATE %q SET _ferretdb_sjson = ? WHERE _ferretdb_sjson->'$._id' = ?`, table))
	if err != nil {
		return err
	}
	res, err := st.ExecContext(t.ctx, string(doc), sjsonID(id))
	if err != nil {
		return fmt.Errorf("updating %s: %w", collection, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	_, err = t.insert(collection, doc)
	return err
}

func isNoSuchTable(err error) bool {
	return err != nil && (errors.Is(err, errNoTable) || strings.Contains(err.Error(), "no such table"))
}
