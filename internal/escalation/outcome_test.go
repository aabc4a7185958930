package escalation

import (
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/observatory"
)

// A closed case reaches the observatory's "cases by outcome" with its
// outcome as a valid code; a counsellor's own words become "other" and
// are never recorded.
func TestOutcomeCode(t *testing.T) {
	for outcome, want := range map[string]string{
		"answered": "answered", "referred": "referred", "no_reply": "no-reply", "out_of_scope": "out-of-scope",
		"rinnovo spiegato, tel. 333 1234567": "other", "": "other",
	} {
		got := outcomeCode(outcome)
		if got != want {
			t.Errorf("outcomeCode(%q) = %q, want %q", outcome, got, want)
		}
		e := observatory.Event{Kind: observatory.KindCaseClosed, At: time.Now(), Bucket: got, Person: "0123456789abcdef"}
		if err := e.Validate(); err != nil {
			t.Errorf("outcomeCode(%q) = %q is not a valid event bucket: %v", outcome, got, err)
		}
	}
}
