package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/flows"
	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/escalation"
	"github.com/prils-lazio/presidio/internal/signup"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/locales"
)

// SandboxOperatorChat is the operators' forum group the sandbox creates in
// its emulator, so a coordinator can try a whole escalation.
const SandboxOperatorChat int64 = -1001000000001

// router sends private chats to the flows and the operators' group to the
// escalation desk; other groups are ignored.
type router struct {
	private, operators bot.Handler
	operatorChat       int64
}

func (r router) Handle(ctx context.Context, sess *store.Session, in chat.Incoming) ([]chat.Outgoing, error) {
	switch {
	case in.Private:
		return r.private.Handle(ctx, sess, in)
	case r.operatorChat != 0 && in.ChatID == r.operatorChat:
		return r.operators.Handle(ctx, sess, in)
	}
	return nil, nil
}

// escalateAction is the flows' "escalate" action: it opens the person's
// case on the topic they were reading.
func escalateAction(desk *escalation.Service) flows.Action {
	return flows.ActionFunc(func(ctx context.Context, call flows.ActionCall, t flows.Turn) (flows.ActionResult, error) {
		answers := map[string]string{}
		for k, v := range call.Vars {
			if k != "topic" && k != "case" {
				answers[k] = v
			}
		}
		out, caseID, err := desk.Open(ctx, escalation.OpenRequest{
			ChatID: t.ChatID, Name: t.Name, Lang: t.Lang, Topic: call.Vars["topic"], Site: call.Site, Answers: answers,
		})
		if err != nil {
			return flows.ActionResult{}, err
		}
		return flows.ActionResult{Out: out, Vars: map[string]string{"case": caseID}}, nil
	})
}

// rights serves /mydata and /forget across the stores.
type rights struct {
	courses *courses.Courses
	signup  *signup.Service // tells the next waiting person about a freed seat
	store   *store.Store
	cases   *cases.Cases
	desk    *escalation.Service
	texts   *locales.Catalog
}

// Forget tells the operators, then erases cases, messages, the chat's
// inbox and outbox records. The session is deleted by the runtime.
func (r rights) Forget(ctx context.Context, chatID int64) ([]chat.Outgoing, error) {
	out, err := r.desk.Forgotten(ctx, chatID)
	if err != nil {
		return nil, err
	}
	// Seats freed by the erasure are offered on, and the next people on
	// the waiting lists are told at once (queued under each offer's id);
	// what cannot be queued now the scheduler's next run tells them.
	offers, err := r.courses.ForgetPerson(ctx, chatID)
	if r.signup != nil {
		_ = r.signup.Announce(ctx, offers)
	}
	if err != nil {
		return nil, err
	}
	if err := r.store.ForgetChat(ctx, chatID); err != nil {
		return nil, err
	}
	return out, nil
}

// wireDesk lets the sender recreate a deleted case topic and tell the
// operators when a person blocked the bot.
func (a *App) wireDesk() {
	a.Runtime.OnThreadGone(a.desk.ThreadGone)
	a.Runtime.OnBlocked(func(chatID int64) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var entries []store.OutboxEntry
		for i, m := range a.desk.PersonBlocked(ctx, chatID) {
			entries = append(entries, store.OutboxEntry{ID: fmt.Sprintf("blocked:%d:%d:%d", chatID, time.Now().UnixNano(), i), Msg: m})
		}
		if err := a.Runtime.Enqueue(ctx, entries); err != nil {
			a.log.Warn("could not tell the operators that a person blocked the bot", "error", err)
		}
	})
}

// runDue raises unanswered cases, then queues course offers and reminders
// (signup.RunDue: each recorded as done only once queued). Each part runs
// whatever the other did.
func (a *App) runDue(ctx context.Context) {
	entries, err := a.desk.Reminders(ctx, a.cfg.CaseReminder)
	if len(entries) > 0 {
		err = errors.Join(err, a.Runtime.Enqueue(ctx, entries))
	}
	if err != nil && ctx.Err() == nil {
		a.log.Warn("raising unanswered cases failed", "error", err)
	}
	if a.signup != nil {
		if err := a.signup.RunDue(ctx, a.Runtime.Enqueue); err != nil && ctx.Err() == nil {
			a.log.Warn("course offers or reminders not all queued; the next run tries again", "error", err)
		}
	}
}

// startReminders runs, every minute, what is due: cases nobody took within
// PRESIDIO_CASE_REMINDER raised again, freed course seats offered to the
// waiting list (expired offers passed on), and course reminders the day
// before the start. Each message's outbox id makes it happen once.
func (a *App) startReminders() {
	if a.desk == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.stopReminders, a.remindersDone = cancel, make(chan struct{})
	go func() {
		defer close(a.remindersDone)
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			a.runDue(ctx)
		}
	}()
}
