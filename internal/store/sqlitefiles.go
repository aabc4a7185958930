package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses
)

// sqlitePragmas are added to the embedded FerretDB's SQLite URL, so every
// connection it opens has them:
//   - secure_delete: deleted content is overwritten with zeros, so an erased
//     person's words do not linger in free pages of the file;
//   - auto_vacuum(incremental): free pages can be given back to the file
//     system (Reclaim), so the data folder shrinks after sweeps and erasures.
//     (FerretDB's own default is none.)
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=secure_delete(1)&_pragma=auto_vacuum(incremental)"

// syncAtBarriers is added to sqlitePragmas for a store this process serves
// to itself (and to the CLI through its socket): a commit is written to the
// write-ahead log but not synced to the disk on its own; Store.Durable
// syncs the log before anything leaves the process (durable.go). A store
// served to other processes over TCP (`store serve`, StartEmbedded) keeps
// SQLite's default, a sync at every commit, because its clients cannot ask
// for one.
const syncAtBarriers = "&_pragma=synchronous(normal)"

// sqliteFiles looks after the embedded store's SQLite files beside FerretDB:
// indexes FerretDB does not make, and giving space back. It opens the same
// files through the same driver; SQLite serialises the writers.
//
// Why the extra index: FerretDB 1.24 builds its unique _id index on the
// expression `_ferretdb_sjson->"_id"`, while its finds, updates and deletes
// by _id filter on `_ferretdb_sjson->'$._id'`. SQLite uses an expression
// index only for the identical expression, so every update or delete by _id
// read the whole table (42 ms per update at 20,000 documents, measured).
// An index on the expression the queries use makes them lookups (0.4 ms at
// 20,000 documents, and flat as the table grows). FerretDB does not know
// this index exists; it disappears with its table.
type sqliteFiles struct {
	dir     string
	pragmas string // the same as FerretDB's (sqlitePragmas, and syncAtBarriers or not)
	log     *slog.Logger

	mu  sync.Mutex
	dbs map[string]*sql.DB

	direct *directWriter // the hot path's writes (sqlitewrite.go)

	// served: the files are served to other processes only (Serve), whose
	// writes and deletes all go through FerretDB; the store's indexes for
	// the direct writer's own statements (sqliteIndexes) would cost their
	// writes and serve nothing, so they are not kept.
	served bool
}

func newSQLiteFiles(dir, pragmas string, log *slog.Logger) *sqliteFiles {
	f := &sqliteFiles{dir: dir, pragmas: pragmas, log: log, dbs: map[string]*sql.DB{}}
	f.direct = newDirectWriter(f)
	return f
}

// open returns a connection pool for every database file of the folder.
func (f *sqliteFiles) open() ([]*sql.DB, error) {
	paths, err := filepath.Glob(filepath.Join(f.dir, "*.sqlite"))
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*sql.DB
	for _, p := range paths {
		db := f.dbs[p]
		if db == nil {
			db, err = sql.Open("sqlite", "file:"+p+"?"+f.pragmas)
			if err != nil {
				return nil, fmt.Errorf("opening %s: %w", filepath.Base(p), err)
			}
			db.SetMaxOpenConns(1)
			f.dbs[p] = db
		}
		out = append(out, db)
	}
	return out, nil
}

// idIndexSuffix names the store's _id index of a table. It is unique, as
// _id is: SQLite then knows a statement by _id touches one row, and runs
// an update or delete by _id in one pass without a statement journal, a
// copy of every page it changes (which made such statements in a longer
// transaction cost several times more, measured).
//
// It replaces FerretDB's own unique _id index, on the other expression
// form, and takes its name (<table>__id_): two indexes on the same values
// would cost every write twice, and the one left refuses a duplicate _id
// just the same (FerretDB reports any unique constraint as a duplicate
// key; TestDuplicateIDsAreRefusedWithoutFerretDBsIndex). FerretDB still
// lists _id_ among the indexes and, by that name, counts the index's size
// in collStats, dbStats, validate and compact (which fail on a collection
// none of whose listed indexes exists); it never reads the index itself,
// and drops the table, with its indexes, with the collection.
const idIndexSuffix = "__id_"

// ensureIDIndexes adds the _id lookup index to every table FerretDB made
// (see sqliteFiles), and the store's other indexes (sqliteIndexes) to the
// tables of their collections. Creating them on a large existing table
// takes a while once; afterwards it is a no-op.
func (f *sqliteFiles) ensureIDIndexes(ctx context.Context) error {
	dbs, err := f.open()
	if err != nil {
		return err
	}
	for _, db := range dbs {
		tables, err := ferretTables(ctx, db)
		if err != nil {
			return err
		}
		for _, ft := range tables {
			t := ft.table
			if err := ensureIDIndex(ctx, db, t); err != nil {
				return fmt.Errorf("indexing %s by _id: %w", t, err)
			}
			// The store's other indexes of the collection (forget_direct.go).
			for _, ix := range indexesOf(ft.name) {
				q := ix.create(t)
				if f.served {
					q = fmt.Sprintf(`DROP INDEX IF EXISTS %q`, t+ix.suffix)
				}
				if _, err := db.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("indexing %s (%s): %w", ft.name, ix.field, err)
				}
			}
		}
	}
	return nil
}

// idIndexExpr is the expression of the store's _id index: the form
// FerretDB's own queries by _id use, so SQLite's planner finds it.
const idIndexExpr = `_ferretdb_sjson->'$._id'`

// ensureIDIndex makes table's _id index the store's (idIndexSuffix): when
// the index of that name is FerretDB's, on the other expression, it is
// dropped and the store's made in its place, in one transaction, so a
// duplicate _id is refused throughout. The names earlier versions gave
// the store's index (<table>_presidio_id, not unique; <table>_presidio_uid)
// are dropped. Once done, a read of the schema.
func ensureIDIndex(ctx context.Context, db *sql.DB, table string) error {
	name := table + idIndexSuffix
	earlier := []string{table + "_presidio_id", table + "_presidio_uid"}
	rows, err := db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (?, ?, ?)`,
		name, earlier[0], earlier[1])
	if err != nil {
		return err
	}
	ours, stale := false, false
	for rows.Next() {
		var n string
		var def sql.NullString
		if err := rows.Scan(&n, &def); err != nil {
			rows.Close()
			return err
		}
		if n == name {
			ours = strings.Contains(def.String, idIndexExpr)
		} else {
			stale = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if ours && !stale {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	var stmts []string
	if !ours {
		stmts = append(stmts,
			fmt.Sprintf(`DROP INDEX IF EXISTS %q`, name),
			fmt.Sprintf(`CREATE UNIQUE INDEX %q ON %q (%s)`, name, table, idIndexExpr))
	}
	for _, o := range earlier {
		stmts = append(stmts, fmt.Sprintf(`DROP INDEX IF EXISTS %q`, o))
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// ferretTable is a collection and the SQLite table FerretDB keeps it in.
type ferretTable struct{ name, table string }

func ferretTables(ctx context.Context, db *sql.DB) ([]ferretTable, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, table_name FROM _ferretdb_collections`)
	if err != nil {
		var exists int
		if e := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = '_ferretdb_collections'`).Scan(&exists); e == nil && exists == 0 {
			return nil, nil // a database FerretDB has not written to yet
		}
		return nil, fmt.Errorf("listing the store's tables: %w", err)
	}
	defer rows.Close()
	var out []ferretTable
	for rows.Next() {
		var t ferretTable
		if err := rows.Scan(&t.name, &t.table); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// migrateAutoVacuum turns on incremental auto-vacuum in files made before
// it was the default: the setting takes effect only through one VACUUM,
// which rewrites the file (once; seconds per hundred MiB).
func (f *sqliteFiles) migrateAutoVacuum(ctx context.Context) error {
	dbs, err := f.open()
	if err != nil {
		return err
	}
	for _, db := range dbs {
		var mode int
		if err := db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
			return fmt.Errorf("reading auto_vacuum: %w", err)
		}
		if mode == 2 {
			continue
		}
		start := time.Now()
		if _, err := db.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
			return fmt.Errorf("setting auto_vacuum: %w", err)
		}
		if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
			return fmt.Errorf("vacuuming to enable auto_vacuum: %w", err)
		}
		f.log.Info("store: files rewritten once so that free space can be given back", "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// reclaim gives free pages back to the file system and folds the write-ahead
// log into the main file, truncating it. With secure_delete on, what was
// deleted is then gone from every file of the data folder. A checkpoint
// that readers hold up is skipped; the next one catches up.
func (f *sqliteFiles) reclaim(ctx context.Context) error {
	dbs, err := f.open()
	if err != nil {
		return err
	}
	var errs []error
	for _, db := range dbs {
		if err := incrementalVacuum(ctx, db); err != nil {
			errs = append(errs, fmt.Errorf("incremental vacuum: %w", err))
		}
		if err := truncateWAL(ctx, db); err != nil {
			errs = append(errs, fmt.Errorf("checkpoint: %w", err))
		}
	}
	return errors.Join(errs...)
}

func (f *sqliteFiles) close() {
	f.direct.close()
	f.mu.Lock()
	defer f.mu.Unlock()
	for p, db := range f.dbs {
		_ = db.Close()
		delete(f.dbs, p)
	}
}

// incrementalVacuum frees every page of the free list. SQLite frees one page
// per step of the pragma's statement, so its rows are read to the end (a
// plain Exec would free a single page).
func incrementalVacuum(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `PRAGMA incremental_vacuum`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// deleteBefore deletes, straight in SQLite, the documents of a collection
// whose date field is before cutoff, batch rows at a time in insertion
// order (so each batch stops as soon as it has found its rows). FerretDB
// would read and decode every document to evaluate the filter, then delete
// with one IN list per command; this is the sweep's fast path on the
// embedded store. FerretDB keeps no copy of documents, so deleting rows
// under it is safe; dates are stored as milliseconds since the epoch.
func (f *sqliteFiles) deleteBefore(ctx context.Context, database, collection, field string, cutoff time.Time, batch int) (int64, error) {
	db, table, err := f.table(ctx, database, collection)
	if err != nil || db == nil {
		return 0, err
	}
	q := fmt.Sprintf(`DELETE FROM %[1]q WHERE rowid IN (SELECT rowid FROM %[1]q WHERE _ferretdb_sjson->>'$.%[2]s' < ? LIMIT ?)`, table, field)
	var total int64
	for {
		res, err := db.ExecContext(ctx, q, cutoff.UnixMilli(), batch)
		if err != nil {
			return total, fmt.Errorf("sweeping %s: %w", collection, err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < int64(batch) {
			return total, nil
		}
	}
}

// table returns the connection pool of a database file and the SQLite
// table FerretDB keeps a collection in; db is nil when the database or the
// collection does not exist yet (nothing to delete).
func (f *sqliteFiles) table(ctx context.Context, database, collection string) (db *sql.DB, table string, err error) {
	path := filepath.Join(f.dir, database+".sqlite")
	dbs, err := f.open()
	if err != nil {
		return nil, "", err
	}
	f.mu.Lock()
	db = f.dbs[path]
	f.mu.Unlock()
	if db == nil || len(dbs) == 0 {
		return nil, "", nil // nothing written yet
	}
	err = db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, collection).Scan(&table)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("finding the table of %s: %w", collection, err)
	}
	return db, table, nil
}

// truncateWAL folds the write-ahead log into the database file and
// truncates it. A TRUNCATE checkpoint waits for readers to finish and
// blocks writers while it waits, so it is tried with a short busy timeout,
// a few times with pauses in between that let the bot's writes through,
// instead of waiting up to the usual ten seconds at once (which stalled
// every chat for that long).
func truncateWAL(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 50`); err != nil {
		return err
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA busy_timeout = 10000`) }()
	for attempt := 0; attempt < 50; attempt++ {
		var busy, logFrames, checkpointed int
		err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed)
		if err == nil && busy == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("the write-ahead log stayed busy; the next pass folds it in")
}
