package observatory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/prils-lazio/presidio/internal/store"
)

// Synthetic events for tests and the benchmark (cmd/obsbench): a year of
// plausible traffic, written straight into the day collections the way
// Record writes them (in bulk, so a million events take minutes, not
// hours).

// SyntheticOptions shape SeedSynthetic's events.
type SyntheticOptions struct {
	// From is the first day; Days how many days the events spread over.
	From time.Time
	Days int
	// Events is how many; People how many distinct person tokens.
	Events, People int
	// Seed makes the events reproducible.
	Seed uint64
}

var (
	synthTopics = []string{"permits", "health", "work", "housing", "documents", "school", "italian", "legal-aid", "family"}
	synthLangs  = []string{"it", "en", "ar", "fr", "es", "ro", "uk", "bn", "ur", "zh"}
	synthSites  = []string{"cpia-frascati", "cpia-velletri", "albano", "ciampino", "marino", "pomezia", "anzio", "genzano"}
	synthLevels = []string{"pre-a1", "a1", "a2", "b1"}
	synthOut    = []string{"answered", "referred", "no-answer"}
	synthCats   = []string{"permits", "health", "work", "housing", "legal-aid", "social-services"}
	synthKinds  = []Kind{KindTopicView, KindTopicView, KindTopicView, KindTopicView, KindUnmatched, KindEscalation,
		KindFirstResponse, KindReferral, KindCaseClosed, KindEnrolment, KindWaitingList}
)

// SyntheticEvent returns event i of the synthetic series (the same i and
// options always give the same event).
func SyntheticEvent(o SyntheticOptions, r *rand.Rand) Event {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	e := Event{
		Kind:      synthKinds[r.IntN(len(synthKinds))],
		At:        o.From.UTC().Add(time.Duration(r.IntN(o.Days*24)) * time.Hour),
		Lang:      pick(synthLangs),
		HelpPoint: pick(synthSites),
		Person:    fmt.Sprintf("%016x", r.IntN(o.People)+1),
	}
	switch e.Kind {
	case KindTopicView, KindEscalation:
		e.Topic = pick(synthTopics)
	case KindUnmatched:
		if r.IntN(3) > 0 {
			e.Topic = pick(synthTopics)
		}
	case KindFirstResponse:
		e.Value = 1 + r.IntN(600)
	case KindReferral:
		e.Bucket = pick(synthCats)
	case KindCaseClosed:
		e.Bucket = pick(synthOut)
	case KindEnrolment, KindWaitingList:
		e.Topic, e.Bucket = "italian", pick(synthLevels)
	}
	return e
}

// SeedSynthetic writes o.Events synthetic events into st and calls seen
// (when not nil) with each.
func SeedSynthetic(ctx context.Context, st *store.Store, o SyntheticOptions, seen func(Event)) error {
	r := rand.New(rand.NewPCG(o.Seed, 7))
	byDay := map[string][]any{}
	flush := func(day string) error {
		if len(byDay[day]) == 0 {
			return nil
		}
		_, err := st.Collection(dayPrefix+day).InsertMany(ctx, byDay[day])
		byDay[day] = byDay[day][:0]
		return err
	}
	for range o.Events {
		e := SyntheticEvent(o, r)
		if seen != nil {
			seen(e)
		}
		day := dayKey(e.At)
		byDay[day] = append(byDay[day], e)
		if len(byDay[day]) >= 1000 {
			if err := flush(day); err != nil {
				return err
			}
		}
	}
	for day := range byDay {
		if err := flush(day); err != nil {
			return err
		}
	}
	return nil
}
