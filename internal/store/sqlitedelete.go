package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// deleteIDsChunk bounds one DELETE statement's list (well under SQLite's
// limit on bound variables).
const deleteIDsChunk = 500

// deleteIDs deletes, straight in SQLite, the documents of a collection
// whose string _id is one of ids: one statement and one transaction per
// 500 ids, each row found through the _id index (sqliteFiles). FerretDB
// runs each delete of a bulk write as its own statement and transaction
// (with its own sync of the write-ahead log), and reads the whole
// collection for a `$in` filter; on the hot path (done updates, sent
// messages' pending copies) that was a fifth of the bot's CPU. The value
// compared is the _id as FerretDB stores it: its JSON form.
func (f *sqliteFiles) deleteIDs(ctx context.Context, database, collection string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	db, table, err := f.table(ctx, database, collection)
	if err != nil || db == nil {
		return err
	}
	for len(ids) > 0 {
		n := min(len(ids), deleteIDsChunk)
		args := make([]any, n)
		for i, id := range ids[:n] {
			b, err := json.Marshal(id)
			if err != nil {
				return err
			}
			args[i] = string(b)
		}
		q := fmt.Sprintf(`DELETE FROM %q WHERE _ferretdb_sjson->'$._id' IN (?%s)`, table, strings.Repeat(", ?", n-1))
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("deleting from %s: %w", collection, err)
		}
		ids = ids[n:]
	}
	return nil
}
