package catalogue

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store/storetest"
)

type doc struct {
	ID string `bson:"_id"`
	N  int    `bson:"n"`
}

func count(t *testing.T, v *Versions) (int, int) {
	t.Helper()
	coll, gen, err := v.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, err := coll.CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return int(n), gen
}

// A version staged and never switched (a crash before the switch) is not
// read; the next import starts from a clean stage; a second process sees a
// switch at once; two imports from the same base cannot both switch.
func TestStageSwitch(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	v := New(st, "things")
	if n, gen := count(t, v); n != 0 || gen != 0 {
		t.Fatalf("empty: %d docs, generation %d", n, gen)
	}
	staged, err := v.Stage(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := CopyAll(ctx, staged.Coll, []doc{{"a", 1}, {"b", 2}}); err != nil {
		t.Fatal(err)
	}
	// "Crash": no switch.
	if n, gen := count(t, New(st, "things")); n != 0 || gen != 0 {
		t.Fatalf("after a crash before the switch: %d docs, generation %d", n, gen)
	}
	staged, err = v.Stage(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := CopyAll(ctx, staged.Coll, []doc{{"a", 1}, {"b", 2}, {"c", 3}}); err != nil {
		t.Fatal(err)
	}
	other := New(st, "things")
	if _, gen := count(t, other); gen != 0 {
		t.Fatal("switched too early")
	}
	if err := v.Switch(ctx, staged); err != nil {
		t.Fatal(err)
	}
	if n, gen := count(t, other); n != 3 || gen != 1 {
		t.Fatalf("the other process sees %d docs at generation %d", n, gen)
	}
	late, _ := other.Stage(ctx, 0)
	if err := other.Switch(ctx, late); !errors.Is(err, ErrConcurrent) {
		t.Fatalf("second switch from the same base: %v", err)
	}
	// Two more versions: the oldest generations are dropped, the
	// current one and the one before stay.
	for base := 1; base <= 2; base++ {
		staged, _ := v.Stage(ctx, base)
		if err := CopyAll(ctx, staged.Coll, []doc{{"z", base}}); err != nil {
			t.Fatal(err)
		}
		if err := v.Switch(ctx, staged); err != nil {
			t.Fatal(err)
		}
	}
	names, err := st.CollectionNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var gens []string
	for _, n := range names {
		if strings.HasPrefix(n, "things") {
			gens = append(gens, n[:min(len(n), 9)])
		}
	}
	slices.Sort(gens)
	if !slices.Equal(gens, []string{"things_v2", "things_v3"}) {
		t.Errorf("collections: %v", names)
	}
	if n, gen := count(t, New(st, "things")); n != 1 || gen != 3 {
		t.Fatalf("a new reader: %d docs at generation %d", n, gen)
	}
}
