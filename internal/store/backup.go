package store

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// A backup of the embedded store is one gzip-compressed tar file: first
// manifest.json (a Manifest), then one SQLite file per database of the data
// folder. Each SQLite file is a snapshot taken with VACUUM INTO in a single
// read transaction, so it is consistent even while Presidio writes: every
// collection of a database is as it was at one instant, exactly what a
// crash at that instant would have left, which Presidio resumes from.
//
// Backup opens the SQLite files read-only beside the running process (safe
// in SQLite's WAL mode, which FerretDB uses); it never goes through
// FerretDB and never blocks its writers.

// BackupFormat names the layout of backup files this version writes and reads.
const BackupFormat = "presidio-backup/1"

const manifestName = "manifest.json"

// Manifest describes a backup file.
type Manifest struct {
	Format    string       `json:"format"`
	CreatedAt time.Time    `json:"created_at"`
	Files     []BackupFile `json:"files"`
}

// BackupFile is one database file of a backup.
type BackupFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Collections counts the documents of each collection in the snapshot.
	Collections map[string]int64 `json:"collections"`
}

// Documents is the total number of documents in the backup.
func (m Manifest) Documents() int64 {
	var n int64
	for _, f := range m.Files {
		for _, c := range f.Collections {
			n += c
		}
	}
	return n
}

// Backup writes a snapshot of the embedded store in dataDir to the file
// out (replaced atomically: a failed backup leaves no file behind, and an
// older file of the same name stays until the new one is complete). It
// works whether or not a Presidio process runs on dataDir.
func Backup(ctx context.Context, dataDir, out string) (Manifest, error) {
	dbs, err := filepath.Glob(filepath.Join(dataDir, "*.sqlite"))
	if err != nil || len(dbs) == 0 {
		return Manifest{}, fmt.Errorf("no embedded store in %s (no .sqlite files)", dataDir)
	}
	sort.Strings(dbs)
	if st, err := os.Stat(filepath.Dir(out)); err != nil || !st.IsDir() {
		return Manifest{}, fmt.Errorf("%s: the folder for the backup file does not exist", out)
	}
	scratch, err := os.MkdirTemp(filepath.Dir(out), ".presidio-backup-")
	if err != nil {
		return Manifest{}, err
	}
	defer os.RemoveAll(scratch)

	m := Manifest{Format: BackupFormat, CreatedAt: time.Now().UTC()}
	for _, src := range dbs {
		snap := filepath.Join(scratch, filepath.Base(src))
		if err := snapshot(ctx, src, snap); err != nil {
			return Manifest{}, err
		}
		f, err := describe(ctx, snap)
		if err != nil {
			return Manifest{}, err
		}
		m.Files = append(m.Files, f)
	}
	tmp := out + ".partial"
	if err := pack(tmp, m, scratch); err != nil {
		_ = os.Remove(tmp)
		return Manifest{}, err
	}
	if err := os.Rename(tmp, out); err != nil {
		_ = os.Remove(tmp)
		return Manifest{}, err
	}
	return m, nil
}

// snapshot copies the SQLite database src to dst (which must not exist)
// as of one read transaction.
func snapshot(ctx context.Context, src, dst string) error {
	db, err := sql.Open("sqlite", "file:"+src+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("opening %s: %w", src, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("snapshot of %s: %w", filepath.Base(src), err)
	}
	return nil
}

// describe checks a snapshot's integrity and counts its documents and
// bytes for the manifest.
func describe(ctx context.Context, path string) (BackupFile, error) {
	f := BackupFile{Name: filepath.Base(path), Collections: map[string]int64{}}
	cols, err := countDocuments(ctx, path)
	if err != nil {
		return f, err
	}
	f.Collections = cols
	f.Size, f.SHA256, err = hashFile(path)
	return f, err
}

// countDocuments reads FerretDB's catalogue of a SQLite file (its
// _ferretdb_collections table maps collections to tables) and counts the
// rows of each table, after SQLite's own quick integrity check.
func countDocuments(ctx context.Context, path string) (map[string]int64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil || check != "ok" {
		return nil, fmt.Errorf("%s: integrity check failed: %v %s", filepath.Base(path), err, check)
	}
	rows, err := db.QueryContext(ctx, `SELECT name, table_name FROM "_ferretdb_collections"`)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the collections: %w", filepath.Base(path), err)
	}
	tables := map[string]string{}
	for rows.Next() {
		var name, table string
		if err := rows.Scan(&name, &table); err != nil {
			rows.Close()
			return nil, err
		}
		tables[name] = table
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for name, table := range tables {
		var n int64
		if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %q", table)).Scan(&n); err != nil {
			return nil, fmt.Errorf("%s: counting %s: %w", filepath.Base(path), name, err)
		}
		out[name] = n
	}
	return out, nil
}

func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return n, hex.EncodeToString(h.Sum(nil)), err
}

// pack writes the manifest and the snapshots in dir into one file.
func pack(out string, m Manifest, dir string) error {
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	err = func() error {
		head, _ := json.MarshalIndent(m, "", "  ")
		if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(head)), ModTime: m.CreatedAt}); err != nil {
			return err
		}
		if _, err := tw.Write(head); err != nil {
			return err
		}
		for _, bf := range m.Files {
			if err := tw.WriteHeader(&tar.Header{Name: bf.Name, Mode: 0o600, Size: bf.Size, ModTime: m.CreatedAt}); err != nil {
				return err
			}
			src, err := os.Open(filepath.Join(dir, bf.Name))
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, src)
			src.Close()
			if err != nil {
				return err
			}
		}
		if err := tw.Close(); err != nil {
			return err
		}
		return zw.Close()
	}()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}

// ErrNotEmpty is returned by Restore for a data folder that holds anything.
var ErrNotEmpty = errors.New("not empty")

// Restore unpacks the backup file in into dataDir, which must be empty or
// missing (Restore never merges into or overwrites a store). Every file is
// checked against the manifest (size, SHA-256) before any is put in place:
// on error dataDir is left as it was. It holds the data folder's lock while
// it works, so no Presidio can start on it halfway.
func Restore(ctx context.Context, in, dataDir string) (Manifest, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return Manifest{}, err
	}
	if _, err := os.Stat(in); err != nil {
		return Manifest{}, err
	}
	if err := checkEmpty(abs); err != nil {
		return Manifest{}, err
	}
	_, statErr := os.Stat(abs)
	created := errors.Is(statErr, os.ErrNotExist)
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return Manifest{}, err
	}
	unlock, err := lockDataDir(abs)
	if err != nil {
		return Manifest{}, err
	}
	defer unlock()
	if err := checkEmpty(abs); err != nil { // nobody slipped in before the lock
		return Manifest{}, err
	}
	m, written, err := unpack(ctx, in, abs)
	if err != nil {
		for _, p := range written {
			_ = os.Remove(p)
		}
		if created { // leave no trace: the folder did not exist before
			_ = os.Remove(filepath.Join(abs, LockFile))
			_ = os.Remove(abs)
		}
		return Manifest{}, err
	}
	for _, p := range written {
		if err := os.Rename(p, strings.TrimSuffix(p, ".restoring")); err != nil {
			return Manifest{}, err
		}
	}
	return m, nil
}

// checkEmpty refuses a data folder with anything in it but an unheld lock
// file left by an earlier run.
func checkEmpty(abs string) error {
	entries, err := os.ReadDir(abs)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != LockFile {
			return fmt.Errorf("%s is %w (it holds %s): restore only into an empty data folder", abs, ErrNotEmpty, e.Name())
		}
	}
	return nil
}

// unpack reads the backup file into dir as NAME.restoring files and checks
// them against the manifest; it returns the paths it wrote.
func unpack(ctx context.Context, in, dir string) (m Manifest, written []string, err error) {
	f, err := os.Open(in)
	if err != nil {
		return m, nil, err
	}
	defer f.Close()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: not a valid Presidio backup: %s", in, fmt.Sprintf(format, args...))
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		return m, nil, bad("%v", err)
	}
	tr := tar.NewReader(zr)
	h, err := tr.Next()
	if err != nil || h.Name != manifestName {
		return m, nil, bad("no manifest first")
	}
	if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
		return m, nil, bad("manifest: %v", err)
	}
	if m.Format != BackupFormat {
		return m, nil, bad("format %q, this version reads %q", m.Format, BackupFormat)
	}
	want := map[string]BackupFile{}
	for _, bf := range m.Files {
		if bf.Name != filepath.Base(bf.Name) || !strings.HasSuffix(bf.Name, ".sqlite") || strings.HasPrefix(bf.Name, ".") {
			return m, nil, bad("file name %q", bf.Name)
		}
		want[bf.Name] = bf
	}
	for {
		if err := ctx.Err(); err != nil {
			return m, written, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, written, bad("%v", err)
		}
		bf, ok := want[h.Name]
		if !ok {
			return m, written, bad("%q is not in the manifest", h.Name)
		}
		delete(want, h.Name)
		path := filepath.Join(dir, bf.Name+".restoring")
		written = append(written, path)
		if err := writeChecked(tr, path, bf); err != nil {
			return m, written, bad("%v", err)
		}
	}
	for name := range want {
		return m, written, bad("%s is missing", name)
	}
	return m, written, nil
}

func writeChecked(r io.Reader, path string, bf BackupFile) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), r)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n != bf.Size || hex.EncodeToString(h.Sum(nil)) != bf.SHA256 {
		return fmt.Errorf("%s does not match its checksum (damaged file)", bf.Name)
	}
	return nil
}
