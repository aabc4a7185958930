package app

import (
	"context"
	"crypto/rand"
	"os"

	"github.com/prils-lazio/presidio/internal/observatory"
)

// ObservatorySecretEnv keys the anonymous person tokens of the observatory
// (distinct people are counted without storing who). Without it a random
// key is made at each start: counts of distinct people then restart too.
const ObservatorySecretEnv = "PRESIDIO_OBSERVATORY_SECRET"

// observer records anonymous events; a failure is logged, never shown to
// the person.
func (a *App) observer() (func(ctx context.Context, kind, lang, topic, site string, chatID int64), error) {
	secret := []byte(os.Getenv(ObservatorySecretEnv))
	if len(secret) < observatory.MinSecretLen {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
	}
	rec, err := observatory.NewRecorder(a.Store, secret)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, kind, lang, topic, site string, chatID int64) {
		err := rec.Record(ctx, observatory.Event{Kind: observatory.Kind(kind), Lang: lang, Topic: topic, HelpPoint: site, Person: rec.Person(chatID)})
		if err != nil {
			a.log.Warn("observatory: event not recorded", "kind", kind, "error", err)
		}
	}, nil
}
