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

	queueMu sync.Mutex
	queue   []*txRequest // callers waiting for the next group transaction
	leading bool         // a caller is running transactions (tx)

	mu     sync.Mutex // one transaction at a time: SQLite has one writer anyway
	conns  map[string]*directFile
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
// together or not at all. errNoTable from f (or from a lookup) rolls back
// and is returned as is.
//
// Group transactions: callers that come while a transaction runs wait,
// and the first of them then runs all their functions, in arrival order,
// in one transaction (a commit of updates, outcomes of sends, updates
// received: one write of the log instead of three). When that transaction
// fails, each function is run again alone, so only the one at fault sees
// its error. f may therefore run more than once; only its last run's
// writes count, and the caller is answered after that run.
func (w *directWriter) tx(ctx context.Context, database string, f func(*directTx) error) error {
	req := &txRequest{ctx: ctx, database: database, f: f, answer: make(chan bool, 1)}
	w.queueMu.Lock()
	w.queue = append(w.queue, req)
	lead := !w.leading
	w.leading = true
	w.queueMu.Unlock()
	if !lead && !<-req.answer {
		return req.err // somebody else ran it
	}
	// This caller leads: it runs what waits (its own request included),
	// then hands over to the first request that came meanwhile.
	w.queueMu.Lock()
	batch := w.queue
	w.queue = nil
	w.queueMu.Unlock()
	w.runBatch(batch)
	w.queueMu.Lock()
	if len(w.queue) > 0 {
		w.queue[0].answer <- true
	} else {
		w.leading = false
	}
	w.queueMu.Unlock()
	return req.err
}

// txRequest is a caller's function waiting for its transaction.
type txRequest struct {
	ctx      context.Context
	database string
	f        func(*directTx) error
	err      error
	answer   chan bool // false: ran, err is the outcome; true: lead
}

// runBatch runs waiting requests, one transaction per database file (in
// practice one), then answers every request but the leader's own.
func (w *directWriter) runBatch(batch []*txRequest) {
	for len(batch) > 0 {
		var same, rest []*txRequest
		for _, r := range batch {
			if r.database == batch[0].database {
				same = append(same, r)
			} else {
				rest = append(rest, r)
			}
		}
		err := w.run(same[0].ctx, same[0].database, same)
		if err != nil && len(same) > 1 {
			for _, r := range same {
				r.err = w.run(r.ctx, r.database, []*txRequest{r})
			}
		} else {
			for _, r := range same {
				r.err = err
			}
		}
		for _, r := range same {
			select {
			case r.answer <- false:
			default: // the leader itself: it reads r.err
			}
		}
		batch = rest
	}
}

// run executes requests' functions in one transaction. The transaction
// takes the write lock when it begins (BEGIN IMMEDIATE), so one that reads
// before it writes never fails to upgrade its lock.
//
// The transaction is run by statements on one pinned connection rather
// than database/sql's Tx, so that the statements prepared on that
// connection serve every transaction (a Tx cannot use them without
// preparing them again, or a second connection, whose opening needs the
// lock the transaction holds).
func (w *directWriter) run(ctx context.Context, database string, reqs []*txRequest) (err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range reqs {
		if r.ctx.Err() != nil && len(reqs) == 1 {
			return r.ctx.Err()
		}
	}
	file, err := w.file(ctx, database)
	if err != nil {
		return err
	}
	if _, err := file.conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		w.drop(file, database)
		return err
	}
	t := &directTx{w: w, file: file, ctx: ctx, database: database}
	for _, r := range reqs {
		if err = r.f(t); err != nil {
			break
		}
	}
	if err == nil {
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

func isNoSuchTable(err error) bool {
	return err != nil && (errors.Is(err, errNoTable) || strings.Contains(err.Error(), "no such table"))
}

// rowsPerStatement bounds one multi-row statement (SQLite allows 32,766
// bound values; the driver prepares a statement anew at every execution,
// so fewer, longer statements cost less than many short ones).
const rowsPerStatement = 256

// insertMany adds documents, skipping those whose _id is there (as insert
// does), several rows a statement; all says whether every one was added.
func (t *directTx) insertMany(collection string, docs [][]byte) (all bool, err error) {
	table, err := t.table(collection)
	if err != nil {
		return false, err
	}
	all = true
	for len(docs) > 0 {
		n := min(len(docs), rowsPerStatement)
		args := make([]any, n)
		for i, d := range docs[:n] {
			args[i] = string(d)
		}
		q := fmt.Sprintf(`INSERT OR IGNORE INTO %q (_ferretdb_sjson) VALUES (?)%s`, table, strings.Repeat(", (?)", n-1))
		res, err := t.file.conn.ExecContext(t.ctx, q, args...)
		if err != nil {
			return false, fmt.Errorf("inserting into %s: %w", collection, err)
		}
		if added, err := res.RowsAffected(); err != nil {
			return false, err
		} else if added != int64(n) {
			all = false
		}
		docs = docs[n:]
	}
	return all, nil
}

// deleteMany removes the documents with these string _ids, several a
// statement, each found through the unique _id index.
func (t *directTx) deleteMany(collection string, ids []string) error {
	table, err := t.table(collection)
	if err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(len(ids), rowsPerStatement)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = sjsonID(id)
		}
		q := fmt.Sprintf(`DELETE FROM %q WHERE _ferretdb_sjson->'$._id' IN (?%s)`, table, strings.Repeat(", ?", n-1))
		if _, err := t.file.conn.ExecContext(t.ctx, q, args...); err != nil {
			return fmt.Errorf("deleting from %s: %w", collection, err)
		}
		ids = ids[n:]
	}
	return nil
}
