package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
)

// process handles one inbox entry in its lane: it runs the handler and
// persists the outbox messages, the session and the update's removal from
// the inbox together (committer). A store error is retried with backoff;
// while the store answers others but keeps failing this update, the update
// is set aside after Config.MaxAttempts (a "poison" update, see setAside), so it
// never holds up its lane for good. When the runtime stops mid-way the
// update stays in the inbox for the next start.
func (r *Runtime) process(ctx context.Context, e store.InboxEntry) {
	// Once committed, the update's removal from the inbox is the cleaner's,
	// and the feeder forgets it only after that (else a reread of the inbox
	// could hand it over again when its session no longer remembers it).
	committed := false
	defer func() {
		if !committed {
			r.feed.done(e.Key)
		}
	}()
	defer func() {
		if ctx.Err() == nil {
			r.done.add(e.UpdateID)
		}
	}()
	start := time.Now()
	in, err := parseUpdate(e.Raw)
	if err != nil {
		r.m.processed.Inc("error")
		r.setAside(ctx, e, "unreadable update: "+err.Error())
		return
	}
	switch in.Kind {
	case chat.KindEdited:
		if !in.Private && in.ThreadID == 0 {
			committed = r.finishWithout(ctx, e, "ignored")
			return
		}
	case chat.KindIgnored:
		committed = r.finishWithout(ctx, e, "ignored")
		return
	case chat.KindBlocked, chat.KindUnblocked:
		r.markBlocked(in.ChatID, in.Kind == chat.KindBlocked)
		committed = r.finishWithout(ctx, e, "ok")
		return
	}

	sess, err := r.session(ctx, e, in.ChatID)
	if err != nil {
		return
	}
	fp := store.Fingerprint(e.Raw)
	if sess.WasApplied(fp) {
		committed = r.finishWithout(ctx, e, "duplicate")
		return
	}
	work := *sess
	work.Applied = append([]int64(nil), sess.Applied...)
	outs, outcome := r.runHandler(ctx, &work, in)
	work.MarkApplied(fp)
	entries := outboxEntries(e, outs)
	if work.Erase {
		// The person's data was just erased: what this update sends
		// (a confirmation, a note in the case topic) must not name them.
		for i := range entries {
			entries[i].Cause = ""
		}
	}

	// The outbox messages, the session and the inbox removal go to the store
	// together with other lanes' (one round trip each per batch); a failure
	// retries all three.
	var fresh []store.OutboxEntry
	toSave := &work
	if work.Erase {
		toSave = nil
	}
	if err := r.retry(ctx, "persisting the effects", e, func() error {
		var err error
		fresh, err = r.commits.commit(ctx, entries, toSave, e.Key)
		return err
	}); err != nil {
		return
	}
	committed = true
	if work.Erase { // the person asked to forget them: no session is kept
		if err := r.retry(ctx, "deleting the session", e, func() error { return r.store.DeleteSession(ctx, e.Lane) }); err != nil {
			return
		}
		r.sessMu.Lock()
		delete(r.sessions, e.Lane)
		r.sessMu.Unlock()
		r.reclaimAfterErasure()
	} else {
		r.sessMu.Lock()
		r.sessions[e.Lane] = &work
		r.sessMu.Unlock()
	}
	r.sender.submit(fresh...)
	r.m.processed.Inc(outcome)
	r.m.latency.Observe(time.Since(start).Seconds())
}

// finishWithout takes an update that changes no session off the inbox.
func (r *Runtime) finishWithout(ctx context.Context, e store.InboxEntry, outcome string) (committed bool) {
	if err := r.retry(ctx, "finishing an update", e, func() error {
		_, err := r.commits.commit(ctx, nil, nil, e.Key)
		return err
	}); err != nil {
		return false
	}
	r.m.processed.Inc(outcome)
	return true
}

// setAside moves an update that cannot be processed out of the inbox into
// updates_set_aside (logged and counted in presidio_updates_set_aside_total,
// listed by `presidio updates set-aside`), so its lane goes on. If even
// that fails (the store is down) it retries until the runtime stops.
func (r *Runtime) setAside(ctx context.Context, e store.InboxEntry, reason string) {
	r.log.Error("setting an update aside: it could not be processed", "update_id", e.UpdateID, "lane", e.Lane, "reason", reason)
	for attempt := 1; ctx.Err() == nil; attempt++ {
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := r.store.SetAside(c, e, reason)
		cancel()
		if err == nil {
			r.m.setAside.Add(1)
			return
		}
		r.log.Warn("could not set an update aside, retrying", "update_id", e.UpdateID, "error", err)
		sleep(ctx, min(backoff(attempt), 5*time.Second))
	}
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

// outboxEntries gives each message an id derived from the update's inbox
// key, so that persisting the same update's effects twice keeps one copy
// (and a later update that reuses an update_id gets ids of its own), and
// splits texts longer than Telegram's limit (buttons go under the last
// part).
func outboxEntries(e store.InboxEntry, outs []chat.Outgoing) []store.OutboxEntry {
	var entries []store.OutboxEntry
	for _, o := range outs {
		parts := []string{o.Text}
		if o.CopyOf == nil && o.Location == nil && o.Venue == nil && o.FileID == "" && o.Document == nil {
			parts = SplitText(o.Text, MaxMessageLen)
		}
		for i, p := range parts {
			m := o
			m.Text = p
			if len(parts) > 1 { // formatting only where it still fits
				m.Entities = nil
				if i == 0 {
					m.Entities = entitiesWithin(o.Entities, utf16Len(p))
				}
			}
			if i < len(parts)-1 {
				m.Buttons, m.Keyboard, m.RemoveKeyboard = nil, nil, false
			}
			if i > 0 {
				m.ReplyTo, m.CallbackID = 0, ""
			}
			entries = append(entries, store.OutboxEntry{
				ID:    fmt.Sprintf("u%s.%d", e.Key, len(entries)),
				Seq:   store.NextSeq(),
				Msg:   m,
				Cause: e.Lane,
			})
		}
	}
	return entries
}

// session returns the lane's session from memory (the lane is its only
// writer, so the copy in memory is current) or from the store.
func (r *Runtime) session(ctx context.Context, e store.InboxEntry, chatID int64) (*store.Session, error) {
	r.sessMu.Lock()
	s := r.sessions[e.Lane]
	r.sessMu.Unlock()
	if s != nil {
		return s, nil
	}
	err := r.retry(ctx, "loading the session", e, func() error {
		var err error
		s, err = r.store.LoadSession(ctx, e.Lane, chatID)
		return err
	})
	if err != nil {
		return nil, err
	}
	r.sessMu.Lock()
	if len(r.sessions) >= maxCachedSessions {
		clear(r.sessions)
	}
	r.sessions[e.Lane] = s
	r.sessMu.Unlock()
	return s, nil
}

// maxCachedSessions bounds the session cache; when full it starts over.
const maxCachedSessions = 20000

// errSetAside says the update was set aside instead of succeeding.
var errSetAside = errors.New("update set aside")

// retry runs f until it succeeds. It gives up with ctx's error when the
// runtime stops (the update stays in the inbox), and sets the update aside
// after Config.MaxAttempts failures while the store answers a ping (the failure is
// the update's, not the store's). While the store is unreachable it keeps
// waiting: that is an outage, not a poison update.
func (r *Runtime) retry(ctx context.Context, what string, e store.InboxEntry, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.log.Warn("store error, retrying", "doing", what, "update_id", e.UpdateID, "attempt", attempt, "error", err)
		if attempt >= r.cfg.MaxAttempts && e.Key != "" && !r.fenced() && r.storeAnswers(ctx) {
			r.setAside(ctx, e, what+": "+err.Error())
			return errSetAside
		}
		select {
		case <-time.After(min(backoff(attempt), 5*time.Second)):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (r *Runtime) storeAnswers(ctx context.Context) bool {
	c, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return r.store.Ping(c) == nil
}

func (r *Runtime) markBlocked(chatID int64, blocked bool) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = r.retry(ctx, "marking a person blocked", store.InboxEntry{}, func() error {
		return r.store.SetBlocked(ctx, laneKey(chatID, 0), chatID, blocked)
	})
}
