package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/prils-lazio/presidio/internal/chat"
)

// CreateTopic creates a forum topic in a group and returns its thread id.
// It is called from a lane (the topic must exist before anything is sent
// into it); a 429 is waited out, at most three times.
func (r *Runtime) CreateTopic(ctx context.Context, chatID int64, name string) (int, error) {
	for attempt := 1; ; attempt++ {
		topic, err := r.tg.api.CreateForumTopic(ctx, &tg.CreateForumTopicParams{ChatID: chatID, Name: topicName(name)})
		if err == nil {
			return topic.MessageThreadID, nil
		}
		var tooMany *tg.TooManyRequestsError
		if !errors.As(err, &tooMany) || attempt == 3 {
			return 0, fmt.Errorf("creating a topic in %d: %w", chatID, err)
		}
		wait := time.Duration(max(1, tooMany.RetryAfter)) * time.Second
		r.m.rateWait.Add(wait.Seconds())
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// RenameTopic changes a forum topic's name (e.g. when a case is taken).
func (r *Runtime) RenameTopic(ctx context.Context, chatID int64, threadID int, name string) error {
	_, err := r.tg.api.EditForumTopic(ctx, &tg.EditForumTopicParams{ChatID: chatID, MessageThreadID: threadID, Name: topicName(name)})
	return err
}

// topicName keeps a topic name within Telegram's 128 characters.
func topicName(s string) string {
	if r := []rune(s); len(r) > 128 {
		return string(r[:127]) + "…"
	}
	return s
}

// OnThreadGone is called by the sender when a message cannot go into a
// forum topic because the topic was deleted; it returns the thread to use
// instead (recreating the topic), or false to give the message up. It
// must be idempotent: every queued message of the old topic asks again.
func (r *Runtime) OnThreadGone(f func(ctx context.Context, chatID int64, threadID int) (int, bool)) {
	r.sender.onThreadGone = f
}

// OnBlocked is called after a person blocked the bot (and they are marked
// unreachable), e.g. to tell the operators in the case's topic.
func (r *Runtime) OnBlocked(f func(chatID int64)) {
	r.sender.onBlocked = func(chatID int64) {
		r.markBlocked(chatID, true)
		f(chatID)
	}
}

// threadGone reports whether a send failed because its forum topic was
// deleted (Telegram says "message thread not found" or TOPIC_DELETED).
func threadGone(err error) bool {
	if err == nil || !errors.Is(err, tg.ErrorBadRequest) {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "message thread not found") || strings.Contains(s, "TOPIC_DELETED")
}

// DeleteTopic deletes a forum topic with all its messages (the bot must be
// an admin allowed to delete messages). A topic already gone counts as
// deleted.
func (r *Runtime) DeleteTopic(ctx context.Context, chatID int64, threadID int) error {
	_, err := r.tg.api.DeleteForumTopic(ctx, &tg.DeleteForumTopicParams{ChatID: chatID, MessageThreadID: threadID})
	if err != nil && threadGone(err) {
		return nil
	}
	return err
}

// CloseTopic closes a forum topic (nobody can write in it any more).
func (r *Runtime) CloseTopic(ctx context.Context, chatID int64, threadID int) error {
	_, err := r.tg.api.CloseForumTopic(ctx, &tg.CloseForumTopicParams{ChatID: chatID, MessageThreadID: threadID})
	return err
}

// ReopenTopic reopens a closed forum topic (a reopened case).
func (r *Runtime) ReopenTopic(ctx context.Context, chatID int64, threadID int) error {
	_, err := r.tg.api.ReopenForumTopic(ctx, &tg.ReopenForumTopicParams{ChatID: chatID, MessageThreadID: threadID})
	return err
}

// EditButtons replaces the inline buttons of a message the bot sent (none
// removes them), e.g. a case card's Take once someone took the case.
func (r *Runtime) EditButtons(ctx context.Context, chatID int64, messageID int, buttons [][]chat.Button) error {
	params := &tg.EditMessageReplyMarkupParams{ChatID: chatID, MessageID: messageID}
	if len(buttons) > 0 {
		params.ReplyMarkup = markup(chat.Outgoing{Buttons: buttons})
	}
	_, err := r.tg.api.EditMessageReplyMarkup(ctx, params)
	return err
}

// SendNow sends one message at once, outside the outbox, and returns its
// id: only for what must come first in a place the sender is waiting for
// (a recreated case topic's card). It is not retried or persisted.
func (r *Runtime) SendNow(ctx context.Context, out chat.Outgoing) (int, error) {
	return r.tg.send(ctx, out)
}
