package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/prils-lazio/presidio/internal/announce"
	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/console"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/locales"
)

// consoleHandler is the web console at /console/ for coordinators,
// operators, schools and partners, with the observatory for coordinators.
// A reply written there goes through the same outbox as the operators'
// replies in Telegram, and is copied into the case's topic.
func (a *App) consoleHandler() (http.Handler, error) {
	texts, err := locales.LoadConsole()
	if err != nil {
		return nil, err
	}
	reply := console.ReplierFunc(func(ctx context.Context, caseID string, op cases.Operator, text string) error {
		id := make([]byte, 8)
		_, _ = rand.Read(id)
		messageID := "console:" + hex.EncodeToString(id)
		out, err := a.desk.Reply(ctx, caseID, op, text, messageID)
		if err != nil {
			return err
		}
		entries := make([]store.OutboxEntry, len(out))
		for i, m := range out {
			entries[i] = store.OutboxEntry{ID: fmt.Sprintf("%s.%d", messageID, i), Msg: m}
		}
		return a.Runtime.Enqueue(ctx, entries)
	})
	var bridge console.BridgeSwitch
	if a.desk.BridgeAvailable() {
		bridge = syncedCases{Cases: a.cases, a: a}
	}
	notSaved := func(r *http.Request) string { return texts.Text(console.Lang(r), "console.error.not_saved", nil) }
	return durableWrites(a.Store, notSaved, console.New(console.Config{
		Bridge:       bridge,
		Readers:      a.cases,
		Accounts:     console.NewUsers(a.Store),
		Audit:        console.NewStoreAudit(a.Store),
		Notes:        console.NewStoreNotes(a.Store),
		Cases:        syncedCases{Cases: a.cases, a: a},
		Replier:      reply,
		Directory:    directory.New(a.Store),
		Courses:      a.signup.Courses,
		Texts:        texts,
		TrustProxy:   a.cfg.TrustProxy,
		Store:        a.Store,
		PersonExport: rights{store: a.Store, cases: a.cases, courses: a.signup.Courses, texts: a.texts}.PersonExport,
		Log:          a.log,
		Observatory:  a.observatoryDashboard(texts),
		Announcements: &announce.Handler{
			Service: &announce.Service{Store: a.Store, Courses: a.signup.Courses, Texts: a.texts, Enqueue: a.Runtime.Enqueue},
			Who: func(r *http.Request) (role, site, name string, ok bool) {
				u, _, ok := console.Current(r)
				return string(u.Role), u.Site, u.Name, ok
			},
			CSRF: func(r *http.Request) string {
				_, token, _ := console.Current(r)
				return token
			},
			Texts:     texts,
			Lang:      console.Lang,
			Log:       a.log,
			Languages: a.announceLanguages(),
		},
	})), nil
}

// syncedCases is the case store as the console uses it: taking, closing
// and referring go through the escalation desk, so the operators' topic
// and the person get the same messages as when it is done in Telegram.
type syncedCases struct {
	*cases.Cases
	a *App
}

func (s syncedCases) enqueue(ctx context.Context, prefix string, out []chat.Outgoing) error {
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	entries := make([]store.OutboxEntry, len(out))
	for i, m := range out {
		entries[i] = store.OutboxEntry{ID: fmt.Sprintf("console-%s:%s.%d", prefix, hex.EncodeToString(id), i), Msg: m}
	}
	return s.a.Runtime.Enqueue(ctx, entries)
}

func (s syncedCases) Take(ctx context.Context, caseID string, op cases.Operator) (cases.Operator, bool, error) {
	winner, won, out, err := s.a.desk.Take(ctx, caseID, op)
	if err != nil {
		return winner, won, err
	}
	return winner, won, s.enqueue(ctx, "take", out)
}

func (s syncedCases) Close(ctx context.Context, caseID, outcome string, by cases.Operator) (cases.Case, error) {
	c, out, err := s.a.desk.Close(ctx, caseID, outcome, by)
	if err != nil {
		return c, err
	}
	return c, s.enqueue(ctx, "close", out)
}

func (s syncedCases) Refer(ctx context.Context, caseID, serviceID string, by cases.Operator, note string) (cases.Case, error) {
	c, out, err := s.a.desk.Refer(ctx, caseID, serviceID, by, note)
	if err != nil {
		return c, err
	}
	return c, s.enqueue(ctx, "refer", out)
}

// SetBridge switches the language bridge for a case and tells its topic.
func (s syncedCases) SetBridge(ctx context.Context, caseID string, on bool) error {
	_, out, err := s.a.desk.SetBridge(ctx, caseID, on)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, "bridge", out)
}

// announceLanguages are the translations the announcement form offers:
// every language the bot speaks but Italian (the announcement's source).
func (a *App) announceLanguages() []string {
	var out []string
	for _, l := range a.texts.Languages() {
		if l.Tag != "it" {
			out = append(out, l.Tag)
		}
	}
	return out
}
