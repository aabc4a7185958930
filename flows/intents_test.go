package flows

import (
	"io/fs"
	"testing"

	"github.com/prils-lazio/presidio/flows/understand"
)

// Every intent the matcher can return has an answer: a topic or a node of
// the shipped flows (an expired permit opens permits:expired), or one of
// the conversational intents the bot handles itself.
func TestEveryIntentHasAnAnswer(t *testing.T) {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		t.Fatal(err)
	}
	defs, err := LoadFlows(sub)
	if err != nil {
		t.Fatal(err)
	}
	conversational := map[string]bool{"human": true, "menu": true, "greeting": true, "thanks": true, "language": true, glossaryFlow: true}
	for _, intent := range understand.Intents() {
		ref, ok := intentFlows[intent]
		if !ok {
			if !conversational[intent] {
				t.Errorf("intent %q leads nowhere: add it to intentFlows", intent)
			}
			continue
		}
		if _, _, err := resolveRef(defs, defs["main"], "@"+ref); err != nil {
			t.Errorf("intent %q → %q: %v", intent, ref, err)
		}
	}
	if defs[glossaryFlow] == nil {
		t.Errorf("the %s flow is missing", glossaryFlow)
	}
}
