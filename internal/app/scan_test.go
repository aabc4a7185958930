package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

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
				if containsNeedle(string(doc), n) {
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

// containsNeedle reports whether doc holds needle; a number (a chat id)
// only as a whole number, not as digits inside another (a sequence number
// or a time may contain "7001").
func containsNeedle(doc, needle string) bool {
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' }
	numeric := needle != "" && strings.IndexFunc(needle, func(r rune) bool { return r < '0' || r > '9' }) < 0
	for from := 0; ; {
		i := strings.Index(doc[from:], needle)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(needle)
		if !numeric || (i == 0 || !isDigit(doc[i-1])) && (end == len(doc) || !isDigit(doc[end])) {
			return true
		}
		from = i + 1
	}
}

func TestContainsNeedleMatchesWholeNumbers(t *testing.T) {
	for _, c := range []struct {
		doc, needle string
		want        bool
	}{
		{`{"seq":1796398765346700137}`, "7001", false},
		{`{"chat_id":7001}`, "7001", true},
		{`{"lane":"7001"}`, "7001", true},
		{`{"x":17001,"y":7001}`, "7001", true},
		{`{"name":"Amira"}`, "Amira", true},
		{`{"name":"Amiras"}`, "Amira", true},
	} {
		if got := containsNeedle(c.doc, c.needle); got != c.want {
			t.Errorf("containsNeedle(%s, %s) = %v, want %v", c.doc, c.needle, got, c.want)
		}
	}
}
