package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Lookups by a field on the embedded store. FerretDB filters on nothing
// but _id equality: any other find reads and decodes the whole collection,
// so a lookup such as "the case of this topic" costs as much as every case
// ever opened. A package asks for a lookup field once (IndexForLookups);
// on the embedded store the store then keeps a SQLite index on the field's
// expression (like the /forget ones, forget_direct.go) and IDsWhere finds
// the matching documents' _ids through it, in SQLite; the caller reads
// each document by _id. On MongoDB, and wherever this process does not
// write the files itself, IDsWhere says so (ok false) and the caller uses
// its find through the driver, which the MongoDB indexes it made serve.

var lookupMu sync.Mutex

// IndexForLookups declares fields of a collection that IDsWhere is asked
// about, and makes their indexes now on the embedded store when the
// collection has its table (a collection made later gets them at the next
// maintenance pass, IndexNewCollections). A no-op on MongoDB. Fields are
// dotted paths of scalar values.
func (s *Store) IndexForLookups(ctx context.Context, collection string, fields ...string) error {
	var added []sqliteIndex
	lookupMu.Lock()
	for _, f := range fields {
		ix := sqliteIndex{suffix: lookupSuffix(f), field: sjsonField(f)}
		if !containsIndex(sqliteIndexes[collection], ix) {
			sqliteIndexes[collection] = append(sqliteIndexes[collection], ix)
		}
		added = append(added, ix)
	}
	lookupMu.Unlock()
	f := s.files()
	if f == nil || s.direct() == nil || f.served {
		return nil
	}
	db, table, err := f.table(ctx, s.db.Name(), collection)
	if err != nil || db == nil {
		return err
	}
	for _, ix := range added {
		if _, err := db.ExecContext(ctx, ix.create(table)); err != nil {
			return fmt.Errorf("store: indexing %s (%s): %w", collection, ix.field, err)
		}
	}
	return nil
}

func lookupSuffix(field string) string {
	return "_presidio_by_" + strings.ReplaceAll(field, ".", "_")
}

func containsIndex(list []sqliteIndex, ix sqliteIndex) bool {
	for _, l := range list {
		if l == ix {
			return true
		}
	}
	return false
}

// indexesOf returns the store's SQLite indexes of a collection.
func indexesOf(collection string) []sqliteIndex {
	lookupMu.Lock()
	defer lookupMu.Unlock()
	return append([]sqliteIndex(nil), sqliteIndexes[collection]...)
}

// IDsWhere returns the string _ids of the collection's documents whose
// field equals value (an int, int32, int64 or string), as a find with
// {field: value} selects them for a scalar field: numbers compare as
// numbers whatever their BSON type, a string only with a string. ok is
// false when this store cannot answer through an index (MongoDB, a client
// of another process's store, a field not declared with IndexForLookups,
// a collection without its table yet): the caller then finds through the
// driver. The cost follows the documents found, not the collection.
func (s *Store) IDsWhere(ctx context.Context, collection, field string, value any) (ids []string, ok bool, err error) {
	f := s.files()
	if f == nil || s.direct() == nil || f.served {
		return nil, false, nil
	}
	if !containsIndex(indexesOf(collection), sqliteIndex{suffix: lookupSuffix(field), field: sjsonField(field)}) {
		return nil, false, nil
	}
	db, table, err := f.table(ctx, s.db.Name(), collection)
	if err != nil || db == nil {
		return nil, false, err
	}
	q, arg, ok := lookupQuery(table, field, value)
	if !ok {
		return nil, false, nil
	}
	start := time.Now()
	defer func() { s.observe("lookup", time.Since(start)) }()
	rows, err := db.QueryContext(ctx, q, arg)
	if err != nil {
		return nil, false, fmt.Errorf("store: looking up %s by %s: %w", collection, field, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, false, fmt.Errorf("store: looking up %s by %s: %w", collection, field, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("store: looking up %s by %s: %w", collection, field, err)
	}
	return ids, true, nil
}

// lookupQuery is IDsWhere's statement on table (the string _ids whose
// field equals the bound value, arg) and whether value has a type it
// handles.
func lookupQuery(table, field string, value any) (q string, arg any, ok bool) {
	var cond string
	switch v := value.(type) {
	case int:
		arg, cond = int64(v), sjsonField(field).equalsNumber("?1")
	case int32:
		arg, cond = int64(v), sjsonField(field).equalsNumber("?1")
	case int64:
		arg, cond = v, sjsonField(field).equalsNumber("?1")
	case string:
		arg, cond = v, sjsonField(field).equalsString("?1")
	default:
		return "", nil, false
	}
	return fmt.Sprintf(`SELECT _ferretdb_sjson->>'$._id' FROM %q WHERE %s AND %s`,
		table, cond, sjsonField("_id").typeIs("string")), arg, true
}
