package cases

import (
	"context"
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// findByField returns the documents of coll whose field equals value (an
// int, an int64 or a string). On the embedded store it finds their _ids
// through the store's index of the field (store.IDsWhere; the fields are
// declared in ensureIndexes and openLive) and reads each by _id, checking
// the field again (a document changed or removed in between is left out),
// so the cost follows the documents found, not the collection; elsewhere
// it is one find, which MongoDB answers through the index of the field.
func findByField[T any](ctx context.Context, s *Cases, coll *mongo.Collection, field string, value any) ([]T, error) {
	ids, ok, err := s.st.IDsWhere(ctx, coll.Name(), field, value)
	if err != nil {
		return nil, err
	}
	var out []T
	if !ok {
		cur, err := coll.Find(ctx, bson.D{{Key: field, Value: value}})
		if err != nil {
			return nil, err
		}
		err = cur.All(ctx, &out)
		return out, err
	}
	for _, id := range ids {
		raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !rawEquals(raw.Lookup(strings.Split(field, ".")...), value) {
			continue
		}
		var doc T
		if err := bson.Unmarshal(raw, &doc); err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	return out, nil
}

// rawEquals reports whether a stored scalar equals value (an int, an
// int64 or a string) as a MongoDB filter compares them: numbers by value
// whatever their BSON type, strings only with strings.
func rawEquals(rv bson.RawValue, value any) bool {
	switch v := value.(type) {
	case string:
		str, ok := rv.StringValueOK()
		return ok && str == v
	case int:
		return rawEqualsInt(rv, int64(v))
	case int64:
		return rawEqualsInt(rv, v)
	}
	return false
}

func rawEqualsInt(rv bson.RawValue, v int64) bool {
	switch rv.Type {
	case bson.TypeInt32:
		return int64(rv.Int32()) == v
	case bson.TypeInt64:
		return rv.Int64() == v
	case bson.TypeDouble:
		return rv.Double() == float64(v)
	}
	return false
}

// deleteByField deletes the documents of coll whose field is one of
// values. On the embedded store it finds them as findByField does and
// deletes each by _id (FerretDB reads the whole collection for any other
// delete filter); elsewhere one DeleteMany with $in, which MongoDB answers
// through the index of the field.
func deleteByField(ctx context.Context, s *Cases, coll *mongo.Collection, field string, values []string) error {
	for _, v := range values {
		ids, ok, err := s.st.IDsWhere(ctx, coll.Name(), field, v)
		if err != nil {
			return err
		}
		if !ok {
			_, err := coll.DeleteMany(ctx, bson.D{{Key: field, Value: bson.D{{Key: "$in", Value: values}}}})
			return err
		}
		for _, id := range ids {
			if _, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
				return err
			}
		}
	}
	return nil
}
