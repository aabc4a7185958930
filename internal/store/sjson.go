package store

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// errNotSJSON is returned for a value FerretDB's row format cannot hold as
// encoded here (decimal128, regex, JavaScript, …): the caller then writes
// through FerretDB, which stores or refuses it itself.
var errNotSJSON = errors.New("a value the direct writer does not encode")

// sjsonDocument encodes a BSON document as FerretDB 1.24's SQLite backend
// stores it in its `_ferretdb_sjson` column (FerretDB's internal package
// handler/sjson): a JSON object whose first member "$s" is the schema
// (each key's type, and the keys' order), followed by the values in plain
// JSON. Dates are milliseconds since the epoch, binary data is base64 with
// its subtype in the schema, object ids are hex, int32 and int64 are
// numbers told apart by the schema ("int", "long").
//
// The direct writer (sqlitewrite.go) uses it to put rows where FerretDB
// reads them; TestSJSONMatchesFerretDB checks it byte for byte against
// what FerretDB itself writes for the same documents.
func sjsonDocument(doc bson.Raw) ([]byte, error) {
	elems, err := doc.Elements()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(2 * len(doc))
	buf.WriteString(`{"$s":`)
	if err := writeSchema(&buf, elems); err != nil {
		return nil, err
	}
	for _, e := range elems {
		buf.WriteByte(',')
		writeJSONString(&buf, e.Key())
		buf.WriteByte(':')
		if err := writeValue(&buf, e.Value()); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// sjsonID is the form a string _id has in the column (and in the _id
// index): a JSON string.
func sjsonID(id string) string {
	var buf bytes.Buffer
	writeJSONString(&buf, id)
	return buf.String()
}

func writeSchema(buf *bytes.Buffer, elems []bson.RawElement) error {
	if len(elems) == 0 {
		buf.WriteString(`{}`)
		return nil
	}
	buf.WriteString(`{"p":{`)
	for i, e := range elems {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSONString(buf, e.Key())
		buf.WriteByte(':')
		if err := writeElemSchema(buf, e.Value()); err != nil {
			return err
		}
	}
	buf.WriteString(`},"$k":[`)
	for i, e := range elems {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSONString(buf, e.Key())
	}
	buf.WriteString(`]}`)
	return nil
}

func writeElemSchema(buf *bytes.Buffer, v bson.RawValue) error {
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		elems, err := v.Document().Elements()
		if err != nil {
			return err
		}
		buf.WriteString(`{"t":"object","$s":`)
		if err := writeSchema(buf, elems); err != nil {
			return err
		}
		buf.WriteByte('}')
	case bson.TypeArray:
		vals, err := v.Array().Values()
		if err != nil {
			return err
		}
		buf.WriteString(`{"t":"array","i":[`)
		for i, item := range vals {
			if item.Type == bson.TypeArray {
				// FerretDB 1.24 refuses nested arrays: so does the writer.
				return fmt.Errorf("%w: nested arrays", errNotSJSON)
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeElemSchema(buf, item); err != nil {
				return err
			}
		}
		buf.WriteString(`]}`)
	case bson.TypeDouble:
		buf.WriteString(`{"t":"double"}`)
	case bson.TypeString:
		buf.WriteString(`{"t":"string"}`)
	case bson.TypeBinary:
		sub, _ := v.Binary()
		buf.WriteString(`{"t":"binData","s":`)
		buf.WriteString(strconv.Itoa(int(sub)))
		buf.WriteByte('}')
	case bson.TypeObjectID:
		buf.WriteString(`{"t":"objectId"}`)
	case bson.TypeBoolean:
		buf.WriteString(`{"t":"bool"}`)
	case bson.TypeDateTime:
		buf.WriteString(`{"t":"date"}`)
	case bson.TypeNull:
		buf.WriteString(`{"t":"null"}`)
	case bson.TypeInt32:
		buf.WriteString(`{"t":"int"}`)
	case bson.TypeInt64:
		buf.WriteString(`{"t":"long"}`)
	default:
		return fmt.Errorf("%w: BSON type %s", errNotSJSON, v.Type)
	}
	return nil
}

func writeValue(buf *bytes.Buffer, v bson.RawValue) error {
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		elems, err := v.Document().Elements()
		if err != nil {
			return err
		}
		buf.WriteByte('{')
		for i, e := range elems {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(buf, e.Key())
			buf.WriteByte(':')
			if err := writeValue(buf, e.Value()); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case bson.TypeArray:
		vals, err := v.Array().Values()
		if err != nil {
			return err
		}
		buf.WriteByte('[')
		for i, item := range vals {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeValue(buf, item); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case bson.TypeDouble:
		f := v.Double()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: %v", errNotSJSON, f)
		}
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		buf.Write(b)
	case bson.TypeString:
		writeJSONString(buf, v.StringValue())
	case bson.TypeBinary:
		_, data := v.Binary()
		b, err := json.Marshal(data)
		if err != nil {
			return err
		}
		buf.Write(b)
	case bson.TypeObjectID:
		oid := v.ObjectID()
		buf.WriteByte('"')
		buf.WriteString(hex.EncodeToString(oid[:]))
		buf.WriteByte('"')
	case bson.TypeBoolean:
		buf.WriteString(strconv.FormatBool(v.Boolean()))
	case bson.TypeDateTime:
		buf.WriteString(strconv.FormatInt(v.DateTime(), 10))
	case bson.TypeNull:
		buf.WriteString(`null`)
	case bson.TypeInt32:
		buf.WriteString(strconv.FormatInt(int64(v.Int32()), 10))
	case bson.TypeInt64:
		buf.WriteString(strconv.FormatInt(v.Int64(), 10))
	default:
		return fmt.Errorf("%w: BSON type %s", errNotSJSON, v.Type)
	}
	return nil
}

// writeJSONString writes s as encoding/json does (FerretDB uses it), HTML
// characters escaped included, so ids compare equal byte for byte.
func writeJSONString(buf *bytes.Buffer, s string) {
	simple := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			simple = false
			break
		}
	}
	if simple {
		buf.WriteByte('"')
		buf.WriteString(s)
		buf.WriteByte('"')
		return
	}
	b, _ := json.Marshal(s) // a string always marshals
	buf.Write(b)
}
