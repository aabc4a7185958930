package flows_test

import (
	"context"
	"testing"

	"github.com/prils-lazio/presidio/flows"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/locales"
)

// "Services near me" never sends a person to an empty category: every
// category its menu offers has services in the shipped sample directory
// (legal aid once led to "no services found").
func TestServicesMenuOffersOnlyCategoriesWithServices(t *testing.T) {
	texts, err := locales.LoadFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	actions := flows.Actions(nil, texts, nil, nil)
	defs, err := flows.Load("", texts, actions)
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.New(storetest.Open(t))
	if _, err := dir.LoadSample(context.Background()); err != nil {
		t.Fatal(err)
	}
	services := defs["services"]
	offered := 0
	for _, c := range services.Nodes[services.Start].Buttons {
		n := services.Nodes[c.Goto]
		if n == nil || n.Action != "directory.nearest" {
			continue
		}
		offered++
		category := n.Params["category"]
		found, err := dir.List(context.Background(), directory.Filter{Category: directory.Category(category)})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) == 0 {
			t.Errorf("services.yaml: the button %q leads to category %q, which has no service in the sample directory", c.Text, category)
		}
	}
	if offered == 0 {
		t.Fatal("the services menu offers no category")
	}
}
