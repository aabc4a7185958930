package store

import (
	"context"
	"fmt"
	"strings"
)

// /forget on the embedded store (ForgetChat): FerretDB evaluates any filter
// but `_id` equality in Go, after reading and decoding the whole
// collection, and the outbox holds a month of a region's messages (0.9 s
// per /forget at 10,000 messages, 6.7 s at 100,000: BenchmarkForgetChat).
// So the direct writer deletes a chat's documents itself, in one
// transaction, with statements on the outbox that SQLite answers through
// indexes of the store's own (sqliteIndexes), made on the very expressions
// the statement uses: the cost follows the chat's messages, not the
// month's.
//
// The statements delete exactly what ForgetChat's filters delete through
// FerretDB, for every scalar value a field may hold. A field's value is
// read with `->>` (its SQL value: a number for a JSON number, the decoded
// text for a JSON string), so an int32, int64 or double equal to the chat
// id matches as in MongoDB's numeric comparison; and its BSON type is read
// from the row's schema (the "$s" member, see sjsonDocument), because the
// JSON alone does not tell a number from a date (milliseconds), a boolean
// (`->>` gives 1 or 0) or a string from an object id or binary data (hex,
// base64), which MongoDB never finds equal to a chat id or a lane. The one
// difference left: MongoDB also finds a value inside an array (a `msg` that
// is a list of documents, a `chat_id` that is a list); these fields are
// never arrays (chat.Outgoing, OutboxEntry, InboxEntry are typed), and a
// document shaped so would be left in place, not deleted wrongly.
// TestForgetChatDeletesWhatTheFilterDeletes compares the two.

// sjsonField is a document field (a dotted path) as SQL expressions on
// FerretDB's row column.
type sjsonField string

// value is the field's SQL value: the expression the store's indexes are
// made on, so it must stay the same text in both.
func (f sjsonField) value() string {
	return fmt.Sprintf(`_ferretdb_sjson->>'$.%s'`, string(f))
}

// typeIs is true when the schema gives the field one of these BSON types
// (FerretDB's names: "int", "long", "double", "string"…).
func (f sjsonField) typeIs(types ...string) string {
	var path strings.Builder
	path.WriteString(`$`)
	for _, k := range strings.Split(string(f), ".") {
		path.WriteString(`."$s".p.`)
		path.WriteString(k)
	}
	return fmt.Sprintf(`_ferretdb_sjson->>'%s.t' IN ('%s')`, path.String(), strings.Join(types, `', '`))
}

// equalsNumber and equalsString are the conditions "the field equals the
// bound value" as MongoDB means it for a number and a string.
func (f sjsonField) equalsNumber(param string) string {
	return fmt.Sprintf(`(%s = %s AND %s)`, f.value(), param, f.typeIs("int", "long", "double"))
}

func (f sjsonField) equalsString(param string) string {
	return fmt.Sprintf(`(%s = %s AND %s)`, f.value(), param, f.typeIs("string"))
}

// The fields ForgetChat filters on.
const (
	fieldChatID     sjsonField = "msg.chat_id"
	fieldCopyOfChat sjsonField = "msg.copy_of.chat_id"
	fieldCause      sjsonField = "cause"
	fieldLane       sjsonField = "lane"
)

// sqliteIndex is an index the store adds to a collection's SQLite table on
// the embedded store (besides the _id one, idIndexSuffix), named
// <table><suffix>. Like that one, FerretDB does not know it: it never
// lists, reads or drops it, and the table takes it along when dropped.
// Sparse indexes leave out the rows without the field (most messages are
// not copies and have no cause), so those writes do not pay for them;
// SQLite uses them for `field = ?`, which implies `field IS NOT NULL`.
type sqliteIndex struct {
	suffix string
	field  sjsonField
	sparse bool
}

func (ix sqliteIndex) create(table string) string {
	q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, table+ix.suffix, table, ix.field.value())
	if ix.sparse {
		q += fmt.Sprintf(` WHERE %s IS NOT NULL`, ix.field.value())
	}
	return q
}

// sqliteIndexes are the store's own indexes by collection: those
// forgetChatDirect's statement on the outbox goes through, and those other
// packages declare for their lookups (IndexForLookups, lookup.go, which
// adds to this map under lookupMu; read it with indexesOf). (The pending
// queues hold only the backlog and are read whole, as everywhere on the
// embedded store: see notOnEmbedded.) They replace, on the embedded store,
// the MongoDB indexes of the same fields (ensureIndexes, forgetIndexes),
// which FerretDB made on another expression form and never read.
var sqliteIndexes = map[string][]sqliteIndex{
	colOutbox: {
		{suffix: "_presidio_chat", field: fieldChatID},
		{suffix: "_presidio_copy_of", field: fieldCopyOfChat, sparse: true},
		{suffix: "_presidio_cause", field: fieldCause, sparse: true},
	},
}

// forgetOutboxWhere selects a chat's messages (?1: the chat id), the
// copies of its messages elsewhere (?1) and the messages its updates
// caused (?2: its lane), as ForgetChat's $or does.
var forgetOutboxWhere = strings.Join([]string{
	fieldChatID.equalsNumber("?1"),
	fieldCopyOfChat.equalsNumber("?1"),
	fieldCause.equalsString("?2"),
}, " OR ")

// forgetChatDirect is ForgetChat on the direct path: the chat's messages
// and their pending copies, its updates waiting or set aside, in one
// transaction. A collection without its table sends all of it through the
// driver (errNoTable: nothing was deleted).
func (s *Store) forgetChatDirect(ctx context.Context, w *directWriter, chatID int64) error {
	lane := fmt.Sprint(chatID)
	return s.inDirect(ctx, w, "direct_forget", func(t *directTx) error {
		for _, c := range []string{colOutbox, colOutboxPending} {
			if err := t.deleteWhere(c, forgetOutboxWhere, chatID, lane); err != nil {
				return err
			}
		}
		for _, c := range []string{colInbox, colSetAside} {
			if err := t.deleteWhere(c, fieldLane.equalsString("?1"), lane); err != nil {
				return err
			}
		}
		return nil
	})
}

// deleteWhere deletes a collection's rows that match an SQL condition.
func (t *directTx) deleteWhere(collection, where string, args ...any) error {
	table, err := t.table(collection)
	if err != nil {
		return err
	}
	if _, err := t.file.conn.ExecContext(t.ctx, fmt.Sprintf(`DELETE FROM %q WHERE %s`, table, where), args...); err != nil {
		return fmt.Errorf("deleting from %s: %w", collection, err)
	}
	return nil
}
