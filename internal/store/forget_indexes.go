package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// forgetIndexes are the MongoDB indexes ForgetChat's filters need besides
// those ensureIndexes creates for the runtime: each branch of an $or must
// have its own index, or MongoDB reads the whole collection. (On the
// embedded store these collections are bounded instead: the outbox is swept
// after a month, the pending queues hold the backlog.)
var forgetIndexes = map[string][]bson.D{
	colOutbox:        {{{Key: "msg.copy_of.chat_id", Value: 1}}},
	colOutboxPending: {{{Key: "cause", Value: 1}}, {{Key: "msg.copy_of.chat_id", Value: 1}}},
}

func (s *Store) ensureForgetIndexes(ctx context.Context) error {
	for coll, keys := range forgetIndexes {
		models := make([]mongo.IndexModel, len(keys))
		for i, k := range keys {
			models[i] = mongo.IndexModel{Keys: k}
		}
		if err := EnsureIndexes(ctx, s.db.Collection(coll), s.keptIndexes(coll, models)...); err != nil {
			return err
		}
	}
	return nil
}
