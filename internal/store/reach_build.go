package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// reachBuiltID marks, in "runtime", that colReach holds the projection of
// every session (built once from the sessions of an older store).
const reachBuiltID = "news_reach_built"

// openReach creates colReach's indexes (MongoDB filters an audience by
// language, help point or topic through them) and, the first time a store
// is opened by a Presidio that keeps it, projects every stored session
// into it. Done once; a crash midway builds it again (the same upserts).
func (s *Store) openReach(ctx context.Context, log *slog.Logger) error {
	if err := EnsureIndexes(ctx, s.db.Collection(colReach),
		mongo.IndexModel{Keys: bson.D{{Key: "site", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "lang", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "topic", Value: 1}}},
	); err != nil {
		return err
	}
	if err := s.IndexNewCollections(ctx); err != nil { // before the build's upserts by _id
		return err
	}
	runtime := s.db.Collection("runtime")
	err := runtime.FindOne(ctx, bson.D{{Key: "_id", Value: reachBuiltID}}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("store: reading whether news_reach is built: %w", err)
	}
	n, err := s.buildReach(ctx)
	if err != nil {
		return err
	}
	if _, err := runtime.UpdateOne(ctx, bson.D{{Key: "_id", Value: reachBuiltID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "built", Value: true}}}}, options.UpdateOne().SetUpsert(true)); err != nil {
		return fmt.Errorf("store: marking news_reach built: %w", err)
	}
	if n > 0 {
		log.Info("store: listed the people who may be sent news, once, from their sessions", "people", n)
	}
	return nil
}

// buildReach reads every session, one shard at a time, and writes the
// projection of each reachable person (blocked included); it returns how
// many it wrote.
func (s *Store) buildReach(ctx context.Context) (int, error) {
	written := 0
	for i := range sessionShards {
		cur, err := s.db.Collection(fmt.Sprintf("sessions_%02d", i)).Find(ctx, bson.D{},
			options.Find().SetProjection(bson.D{{Key: "chat_id", Value: 1}, {Key: "lang", Value: 1}, {Key: "blocked", Value: 1}, {Key: "state", Value: 1}}))
		if err != nil {
			return written, fmt.Errorf("store: reading sessions to list who may be sent news: %w", err)
		}
		var list []Session
		if err := cur.All(ctx, &list); err != nil {
			return written, fmt.Errorf("store: reading sessions to list who may be sent news: %w", err)
		}
		var models []mongo.WriteModel
		for _, sess := range list {
			r := reachOf(&sess)
			if !r.ok {
				continue
			}
			models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: sess.Lane}}).SetUpsert(true).
				SetUpdate(bson.D{{Key: "$set", Value: bson.D{
					{Key: "chat_id", Value: sess.ChatID}, {Key: "lang", Value: r.lang},
					{Key: "site", Value: r.site}, {Key: "topic", Value: r.topic}, {Key: "blocked", Value: sess.Blocked},
				}}}))
		}
		for from := 0; from < len(models); from += 1000 {
			batch := models[from:min(from+1000, len(models))]
			if _, err := s.db.Collection(colReach).BulkWrite(ctx, batch, options.BulkWrite().SetOrdered(false)); err != nil {
				return written, fmt.Errorf("store: listing who may be sent news: %w", err)
			}
			written += len(batch)
		}
	}
	return written, nil
}
