package escalation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/store"
)

// buttonRef names a case in a person's buttons without its number: "r" and
// 12 hex digits of a hash of the case's number and the instant it was
// opened (to the nanosecond as stored). Nobody can write the reference of
// a case they were not shown, and it is looked up only among the presser's
// own cases (feedbackCase), so a button can never reach someone else's.
func buttonRef(c cases.Case) string {
	sum := sha256.Sum256([]byte(c.ID + "|" + strconv.FormatInt(c.Created.UnixNano(), 10)))
	return "r" + hex.EncodeToString(sum[:6])
}

// feedbackCase finds the case a feedback button names among chatID's own
// cases: by reference, or by case number for buttons sent before
// references existed. Any other case is store.ErrNotFound.
func (s *Service) feedbackCase(ctx context.Context, ref string, chatID int64) (cases.Case, error) {
	if chatID == 0 {
		return cases.Case{}, store.ErrNotFound
	}
	if !strings.HasPrefix(ref, "r") {
		c, err := s.Cases.Get(ctx, ref)
		if err == nil && c.ChatID != chatID {
			return cases.Case{}, store.ErrNotFound
		}
		return c, err
	}
	if c, ok, err := s.Cases.LatestCaseOf(ctx, chatID); err != nil || ok && buttonRef(c) == ref {
		return c, err
	}
	mine, err := s.Cases.CasesOf(ctx, chatID) // the person's cases only, never all of them
	if err != nil {
		return cases.Case{}, err
	}
	for _, c := range mine {
		if buttonRef(c) == ref {
			return c, nil
		}
	}
	return cases.Case{}, store.ErrNotFound
}
