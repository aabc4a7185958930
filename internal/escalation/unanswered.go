package escalation

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
)

// Reminders raises again, in their topics, the cases nobody took within
// after: once when they pass it, and again every further period, so a
// case is not forgotten under newer ones. It returns outbox entries with
// ids that make each raise happen once even if the caller runs twice.
func (s *Service) Reminders(ctx context.Context, after time.Duration) ([]store.OutboxEntry, error) {
	if s.OperatorChat == 0 || after <= 0 {
		return nil, nil
	}
	now := s.now()
	list, err := s.Cases.Unanswered(ctx, after, now)
	if err != nil {
		return nil, err
	}
	var out []store.OutboxEntry
	for _, c := range list {
		if c.ThreadID == 0 {
			continue
		}
		waited := now.Sub(c.Created)
		round := int(waited / after) // 1 at the first threshold, 2 at twice it…
		if !raised.first(c.ID, round) {
			continue
		}
		out = append(out, store.OutboxEntry{
			ID: fmt.Sprintf("raise:%s:%d", c.ID, round),
			Msg: chat.Outgoing{ChatID: s.OperatorChat, ThreadID: c.ThreadID,
				Text: s.Texts.Text(OperatorLang, "case.unanswered", map[string]any{"Minutes": int(waited.Minutes())})},
		})
	}
	return out, nil
}

// raised remembers the last round raised per case in this process; the
// outbox id dedupes across restarts.
var raised = &raisedRounds{m: map[string]int{}}

type raisedRounds struct {
	mu sync.Mutex
	m  map[string]int
}

func (r *raisedRounds) first(caseID string, round int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m[caseID] >= round {
		return false
	}
	r.m[caseID] = round
	return true
}
