package app

import (
	"context"
	"crypto/rand"

	"github.com/prils-lazio/presidio/internal/observatory"
)

// observer records anonymous events; a failure is logged, never shown to
// the person.
func (a *App) observer() (func(ctx context.Context, kind, lang, topic, site string, chatID int64), error) {
	// PRESIDIO_OBSERVATORY_SECRET keys the anonymous person tokens (distinct
	// people are counted without storing who). Without it a random key is
	// made at each start: counts of distinct people then restart too.
	secret := []byte(a.cfg.ObservatorySecret)
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
