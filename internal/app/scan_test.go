package app

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
)

// scanAll reads every document of every collection as extended JSON and
// reports where any needle appears.
func scanAll(ctx context.Context, st *store.Store, needles []string) ([]string, error) {
	names, err := st.CollectionNames(ctx)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, name := range names {
		cur, err := st.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			return nil, err
		}
		for cur.Next(ctx) {
			doc, err := bson.MarshalExtJSON(cur.Current, false, false)
			if err != nil {
				return nil, err
			}
			for _, n := range needles {
				if strings.Contains(string(doc), n) {
					found = append(found, fmt.Sprintf("%s: %q in %.300s", name, n, doc))
				}
			}
		}
		if err := cur.Err(); err != nil {
			return nil, err
		}
		cur.Close(ctx)
	}
	return found, nil
}
