package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
)

// process handles one inbox entry in its lane: it runs the handler and
// persists the outbox messages and then the session before marking the
// update done. Store failures are retried (the lane waits, keeping order)
// until the runtime stops; the update then stays pending for the next start.
func (r *Runtime) process(ctx context.Context, e store.InboxEntry) {
	start := time.Now()
	in, err := parseUpdate(e.Raw)
	if err != nil {
		r.log.Error("unreadable update left in the inbox", "update_id", e.UpdateID, "error", err)
		r.m.processed.Inc("error")
		r.mark.finished(e.UpdateID)
		return
	}
	switch in.Kind {
	case chat.KindEdited:
		if !in.Private && in.ThreadID == 0 {
			r.m.processed.Inc("ignored")
			r.mark.finished(e.UpdateID)
			return
		}
	case chat.KindIgnored:
		r.m.processed.Inc("ignored")
		r.mark.finished(e.UpdateID)
		return
	case chat.KindBlocked, chat.KindUnblocked:
		r.markBlocked(in.ChatID, in.Kind == chat.KindBlocked)
		r.m.processed.Inc("ok")
		r.mark.finished(e.UpdateID)
		return
	}

	sess, ok := r.session(ctx, e.Lane, in.ChatID)
	if !ok {
		return
	}
	if sess.WasApplied(e.UpdateID) {
		r.m.processed.Inc("duplicate")
		r.mark.finished(e.UpdateID)
		return
	}
	work := *sess
	work.Applied = append([]int64(nil), sess.Applied...)
	outs, outcome := r.runHandler(ctx, &work, in)
	work.MarkApplied(e.UpdateID)
	entries := outboxEntries(e.UpdateID, outs)

	// The outbox messages and the session go to the store together with
	// other lanes' (one round trip per batch); a failure retries both.
	var fresh []store.OutboxEntry
	toSave := &work
	if work.Erase {
		toSave = nil
	}
	if !r.retry(ctx, "persisting the effects", e.UpdateID, func() error {
		var err error
		fresh, err = r.commits.commit(ctx, entries, toSave)
		return err
	}) {
		return
	}
	if work.Erase { // the person asked to forget them: no session is kept
		if !r.retry(ctx, "deleting the session", e.UpdateID, func() error { return r.store.DeleteSession(ctx, e.Lane) }) {
			return
		}
		r.sessMu.Lock()
		delete(r.sessions, e.Lane)
		r.sessMu.Unlock()
	} else {
		r.sessMu.Lock()
		r.sessions[e.Lane] = &work
		r.sessMu.Unlock()
	}
	r.sender.submit(fresh...) // not those a previous run persisted: they are already queued
	r.mark.finished(e.UpdateID)
	r.m.processed.Inc(outcome)
	r.m.latency.Observe(time.Since(start).Seconds())
}

// runHandler calls the handler, turning a panic into a logged error and a
// short apology in the person's language, and retrying a returned error
// twice before apologising the same way.
func (r *Runtime) runHandler(ctx context.Context, sess *store.Session, in chat.Incoming) (outs []chat.Outgoing, outcome string) {
	before := *sess
	for attempt := 1; ; attempt++ {
		var err error
		panicked := func() (p bool) {
			defer func() {
				if v := recover(); v != nil {
					r.log.Error("panic while handling an update", "update_id", in.UpdateID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
					p = true
				}
			}()
			outs, err = r.handler.Handle(ctx, sess, in)
			return false
		}()
		if !panicked && err == nil {
			return outs, "ok"
		}
		*sess = before // keep the state from before the failed attempt
		if !panicked && attempt < 3 && ctx.Err() == nil {
			r.log.Warn("handling an update failed, retrying", "update_id", in.UpdateID, "attempt", attempt, "error", err)
			time.Sleep(backoff(attempt))
			continue
		}
		outcome = "panic"
		if !panicked {
			outcome = "error"
			r.log.Error("handling an update failed", "update_id", in.UpdateID, "error", err)
		}
		if !in.Private || in.ChatID == 0 {
			return nil, outcome
		}
		return []chat.Outgoing{{ChatID: in.ChatID, Text: r.apology(sess.Lang), CallbackID: in.CallbackID}}, outcome
	}
}

// outboxEntries gives each message an id derived from the update, so that
// persisting the same update's effects twice keeps one copy, and splits
// texts longer than Telegram's limit (buttons go under the last part).
func outboxEntries(updateID int64, outs []chat.Outgoing) []store.OutboxEntry {
	var entries []store.OutboxEntry
	for _, o := range outs {
		parts := []string{o.Text}
		if o.CopyOf == nil && o.Location == nil && o.Venue == nil && o.FileID == "" && o.Document == nil {
			parts = SplitText(o.Text, MaxMessageLen)
		}
		for i, p := range parts {
			m := o
			m.Text = p
			if i < len(parts)-1 {
				m.Buttons, m.Keyboard, m.RemoveKeyboard = nil, nil, false
			}
			if i > 0 {
				m.ReplyTo, m.CallbackID = 0, ""
			}
			entries = append(entries, store.OutboxEntry{
				ID:  fmt.Sprintf("u%d.%d", updateID, len(entries)),
				Seq: store.NextSeq(),
				Msg: m,
			})
		}
	}
	return entries
}

// session returns the lane's session from memory (the lane is its only
// writer, so the copy in memory is current) or from the store.
func (r *Runtime) session(ctx context.Context, lane string, chatID int64) (*store.Session, bool) {
	r.sessMu.Lock()
	s := r.sessions[lane]
	r.sessMu.Unlock()
	if s != nil {
		return s, true
	}
	ok := r.retry(ctx, "loading the session", 0, func() error {
		var err error
		s, err = r.store.LoadSession(ctx, lane, chatID)
		return err
	})
	if ok {
		r.sessMu.Lock()
		if len(r.sessions) >= maxCachedSessions {
			clear(r.sessions)
		}
		r.sessions[lane] = s
		r.sessMu.Unlock()
	}
	return s, ok
}

// maxCachedSessions bounds the session cache; when full it starts over.
const maxCachedSessions = 20000

// retry runs f until it succeeds or ctx ends (then it reports false).
func (r *Runtime) retry(ctx context.Context, what string, updateID int64, f func() error) bool {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		r.log.Warn("store error, retrying", "doing", what, "update_id", updateID, "attempt", attempt, "error", err)
		select {
		case <-time.After(min(backoff(attempt), 5*time.Second)):
		case <-ctx.Done():
			return false
		}
	}
}

func (r *Runtime) markBlocked(chatID int64, blocked bool) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r.retry(ctx, "marking a person blocked", 0, func() error {
		return r.store.SetBlocked(ctx, laneKey(chatID, 0), chatID, blocked)
	})
}
