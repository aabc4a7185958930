package app

import (
	"context"
	"crypto/rand"

	"github.com/prils-lazio/presidio/internal/observatory"
)

// observeFunc records one anonymous fact for the observatory: what, in
// which language, topic and help point, with an optional detail (bucket)
// and number (value). chatID only makes the anonymous person token; 0
// records no person.
type observeFunc func(ctx context.Context, kind, lang, topic, site, bucket string, value int, chatID int64)

// observer records anonymous events; a failure is logged, never shown to
// the person.
func (a *App) observer() (observeFunc, error) {
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
	return func(ctx context.Context, kind, lang, topic, site, bucket string, value int, chatID int64) {
		e := observatory.Event{Kind: observatory.Kind(kind), Lang: lang, Topic: topic, HelpPoint: site, Bucket: bucket,
			Value: min(max(value, 0), observatory.MaxValue)}
		if chatID != 0 {
			e.Person = rec.Person(chatID)
		}
		if err := rec.Record(ctx, e); err != nil {
			a.log.Warn("observatory: event not recorded", "kind", kind, "error", err)
		}
	}, nil
}
