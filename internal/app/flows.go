package app

import (
	"context"
	"fmt"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/flows"
	"github.com/prils-lazio/presidio/flows/understand"
	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/escalation"
	"github.com/prils-lazio/presidio/internal/signup"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/locales"
)

// flowsHandler builds the conversation: the directory (with the sample
// data when it is empty), the registered actions and the validated flows.
// A flow file with problems stops the start with "file:line: message".
func (a *App) flowsHandler(ctx context.Context, texts *locales.Catalog) (bot.Handler, error) {
	dir := directory.New(a.Store)
	if n, err := dir.LoadSample(ctx); err != nil {
		return nil, fmt.Errorf("loading the sample directory: %w", err)
	} else if n > 0 {
		a.log.Info("the service directory was empty: loaded the sample data (marked as sample to users)", "services", n)
	}
	caseStore, err := cases.New(ctx, a.Store)
	if err != nil {
		return nil, err
	}
	defaultHours, err := cases.ParseOfficeHours(a.cfg.OfficeHours)
	if err != nil {
		return nil, fmt.Errorf("PRESIDIO_OFFICE_HOURS: %w", err)
	}
	a.cases = caseStore
	a.desk = &escalation.Service{
		Cases: caseStore, Topics: lateTopics{a}, Texts: texts, OperatorChat: a.operatorChat(), Now: time.Now,
		Directory: dir, NewAfterClose: a.cfg.ClosedCase == "new",
		HelpPointName: func(site string) string {
			if svc, err := dir.Get(context.Background(), site); err == nil {
				return svc.Name
			}
			return ""
		},
		Hours: func(site string) *cases.OfficeHours {
			if svc, err := dir.Get(context.Background(), site); err == nil && svc.Hours != "" {
				if h, err := cases.ParseOfficeHours(svc.Hours); err == nil {
					return &h
				}
			}
			return &defaultHours
		},
	}
	if err := a.wireBridge(); err != nil {
		return nil, err
	}
	catalogue, err := courses.New(ctx, a.Store, courses.Config{})
	if err != nil {
		return nil, err
	}
	a.signup = &signup.Service{Courses: catalogue, Texts: texts, Now: time.Now,
		// The people of a retired course are told through the outbox,
		// by the scheduler (see startReminders), which runs on the
		// active process only, once the runtime exists.
		Enqueue: func(ctx context.Context, entries []store.OutboxEntry) error { return a.Runtime.Enqueue(ctx, entries) }}
	if n, err := a.signup.LoadSample(ctx); err != nil {
		return nil, fmt.Errorf("loading the sample courses: %w", err)
	} else if n > 0 {
		a.log.Info("the course catalogue was empty: loaded sample courses (marked as examples)", "courses", n)
	}
	actions := flows.Actions(dir, texts, time.Now, a.signup)
	actions["escalate"] = escalateAction(a.desk)
	defs, err := flows.Load(a.cfg.FlowsDir, texts, actions)
	if err != nil {
		return nil, fmt.Errorf("flows:\n%w", err)
	}
	words, err := understand.Load()
	if err != nil {
		return nil, fmt.Errorf("free-text keywords: %w", err)
	}
	engine := flows.NewEngine(defs, texts)
	privacy := flows.Privacy{Controller: a.cfg.DataController, CaseMonths: int(a.cfg.CaseRetention.Hours()/24/30 + 0.5)}
	engine.TextData = map[string]any{"CaseMonths": fmt.Sprint(privacy.CaseMonths)}
	if privacy.CaseMonths <= 0 {
		engine.TextData["CaseMonths"] = "12"
	}
	people := &flows.Bot{
		Engine:     engine,
		Privacy:    privacy,
		Texts:      texts,
		Actions:    actions,
		Understand: words,
		Desk:       a.desk,
		Rights:     rights{store: a.Store, cases: caseStore, desk: a.desk, texts: texts, courses: catalogue},
		Courses:    a.signup,
		// The privacy notice names the translation service when there is one.
		Translating: a.desk.BridgeAvailable(),
	}
	observe, err := a.observer()
	if err != nil {
		return nil, err
	}
	people.Observe = func(ctx context.Context, kind, lang, topic, site string, chatID int64) {
		observe(ctx, kind, lang, topic, site, "", 0, chatID)
	}
	a.desk.Observe = observe
	a.signup.Observe = observe
	return router{private: people, operators: a.desk, operatorChat: a.operatorChat()}, nil
}

// operatorChat is the operators' group: OPERATOR_CHAT_ID, or the sandbox's.
func (a *App) operatorChat() int64 {
	if a.cfg.OperatorChatID != 0 {
		return a.cfg.OperatorChatID
	}
	if a.Emulator != nil {
		return SandboxOperatorChat
	}
	return 0
}

// lateTopics reaches the runtime's topic calls once it exists (the runtime
// is built with the handler, which needs the desk).
type lateTopics struct{ a *App }

func (l lateTopics) CreateTopic(ctx context.Context, chatID int64, name string) (int, error) {
	return l.a.Runtime.CreateTopic(ctx, chatID, name)
}

func (l lateTopics) RenameTopic(ctx context.Context, chatID int64, threadID int, name string) error {
	return l.a.Runtime.RenameTopic(ctx, chatID, threadID, name)
}

func (l lateTopics) DeleteTopic(ctx context.Context, chatID int64, threadID int) error {
	return l.a.Runtime.DeleteTopic(ctx, chatID, threadID)
}

func (l lateTopics) CloseTopic(ctx context.Context, chatID int64, threadID int) error {
	return l.a.Runtime.CloseTopic(ctx, chatID, threadID)
}

func (l lateTopics) ReopenTopic(ctx context.Context, chatID int64, threadID int) error {
	return l.a.Runtime.ReopenTopic(ctx, chatID, threadID)
}

func (l lateTopics) EditButtons(ctx context.Context, chatID int64, messageID int, buttons [][]chat.Button) error {
	return l.a.Runtime.EditButtons(ctx, chatID, messageID, buttons)
}

func (l lateTopics) SendNow(ctx context.Context, out chat.Outgoing) (int, error) {
	return l.a.Runtime.SendNow(ctx, out)
}
