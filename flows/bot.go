package flows

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/locales"
)

// Catalog is what flows need from locales.
type Catalog interface {
	Text(lang, id string, data map[string]any) string
	Languages() []locales.Language
	Match(telegramLanguageCode string) (tag string, ok bool)
	// Isolate keeps a left-to-right fragment (a Latin name, a number) in
	// the right order inside right-to-left text.
	Isolate(lang, s string) string
}

// Understander guesses what a free-text message is about: a topic flow id
// or one of the conversational intents (human, menu, greeting, thanks,
// language, services-near-me). ok is false when it is not confident.
type Understander interface {
	Understand(lang, text string) (intent string, ok bool)
}

// Action is a registered Go action a flow can call (action: name).
type Action interface {
	Run(ctx context.Context, call ActionCall, t Turn) (ActionResult, error)
}

// ActionFunc adapts a function to Action.
type ActionFunc func(ctx context.Context, call ActionCall, t Turn) (ActionResult, error)

// Run implements Action.
func (f ActionFunc) Run(ctx context.Context, call ActionCall, t Turn) (ActionResult, error) {
	return f(ctx, call, t)
}

// Bot is the runtime's handler for private chats.
type Bot struct {
	Engine     *Engine
	Texts      Catalog
	Understand Understander
	Actions    map[string]Action
	// Now is the clock (tests fix it).
	Now func() time.Time
	// Idle is how long after which a person coming back is asked whether
	// to continue where they were or start again.
	Idle time.Duration
	// Privacy names the data controller and retention in the notice.
	Privacy Privacy
	// Desk relays messages of people with an open case (nil: none).
	Desk Desk
	// Rights serves /mydata and /forget (nil: /mydata shows the notice).
	Rights Rights
	// Courses serves /mycourses and course buttons (nil: none).
	Courses CourseDesk
	// Observe receives anonymous facts for the observatory: a topic was
	// read ("topic_view"), a question was not understood ("unmatched"), a
	// person asked for a counsellor ("escalation"). nil: none.
	Observe func(ctx context.Context, kind, lang, topic, site string, chatID int64)
}

// intentFlows maps understood intents to the flow ("permits") or the node
// of a flow ("permits:expired") that answers them.
var intentFlows = map[string]string{
	"permits": "permits", "documents": "documents", "health": "health", "italian-courses": "italian",
	"work": "work", "housing": "housing", "school": "school", "legal-aid": "legal",
	"social-services": "social", "family-reunification": "family", "urgent-help": "urgent",
	"services-near-me": "services", "permit-expired": "permits:expired", "eu-citizens": "permits:eu",
	"temporary-protection": "permits:ukraine", "crisis": "urgent:crisis",
}

var payloadRE = regexp.MustCompile(`^(site|topic|course)_([a-z0-9-]{1,40})$`)

// Handle implements bot.Handler. Its only effects are its outputs, the
// session and what actions do; actions must be idempotent per update.
func (b *Bot) Handle(ctx context.Context, sess *store.Session, in chat.Incoming) ([]chat.Outgoing, error) {
	if !in.Private {
		return nil, nil
	}
	st := decodeState(sess.State)
	now := b.now()
	idle := !st.LastActive.IsZero() && now.Sub(st.LastActive) > b.idle()
	st.LastActive = now
	defer func() { sess.State = encodeState(st) }()

	first := sess.Lang == ""
	matched := true
	if first {
		sess.Lang, matched = b.Texts.Match(in.From.LanguageCode)
		if !matched {
			sess.Lang = "it"
		}
	}
	t := Turn{ChatID: in.ChatID, Lang: sess.Lang, CallbackID: in.CallbackID, Name: in.From.FirstName}
	var step Step
	switch in.Kind {
	case chat.KindButton:
		if out, handled, err := b.rightsButton(ctx, sess, &st, t, in.Data); handled {
			return out, err
		}
		if b.Courses != nil {
			if out, handled, err := b.Courses.Button(ctx, t.ChatID, t.Lang, in.Data); handled {
				if len(out) > 0 {
					out[0].CallbackID = t.CallbackID
				}
				return out, err
			}
		}
		step = b.button(sess, &st, &t, in.Data)
	case chat.KindText:
		if cmd, arg := in.Command(); cmd != "" {
			if cmd == "mydata" || cmd == "forget" {
				return b.rightsCommand(ctx, t, cmd)
			}
			if cmd == "settings" {
				return []chat.Outgoing{b.settings(&st, t)}, nil
			}
			if cmd == "mycourses" && b.Courses != nil {
				return b.Courses.Mine(ctx, t.ChatID, t.Lang)
			}

			step = b.command(&st, t, in, cmd, arg, first, matched)
			break
		}
		if idle && st.Node != "" && st.Vars[caseVar] == "" && !(st.Flow == "main" && st.Node == b.Engine.flows["main"].Start) {
			step = b.welcomeBack(t)
			break
		}
		var err error
		if step, err = b.text(ctx, &st, t, in); err != nil {
			return nil, err
		}
	case chat.KindContact, chat.KindLocation:
		var ok bool
		if step, ok = b.Engine.Input(&st, t, in); ok {
			break
		}
		out, relayed, err := b.relay(ctx, &st, in)
		switch {
		case err != nil:
			return nil, err
		case relayed:
			step = Step{Out: out}
		case in.Kind == chat.KindLocation:
			step = b.Engine.Enter(&st, t, "@services")
		default:
			step = b.Engine.MainMenu(&st, t)
		}
	case chat.KindEdited: // only a counsellor needs to see a correction
		out, _, err := b.relay(ctx, &st, in)
		return out, err
	default: // photos, voice notes, documents for the counsellor; stickers
		out, relayed, err := b.relay(ctx, &st, in)
		if err != nil {
			return nil, err
		}
		step = Step{Out: out}
		if !relayed {
			step = Step{Out: []chat.Outgoing{{ChatID: in.ChatID, Text: b.Texts.Text(t.Lang, "update.unsupported_media", nil)}}}
		}
	}
	out, visited, err := b.runActions(ctx, &st, t, step)
	if err != nil {
		return nil, err
	}
	b.observe(ctx, &st, t, visited, step.unmatched)
	return out, nil
}

// observe reports what the person was shown: the topics opened, and a
// request for a counsellor.
func (b *Bot) observe(ctx context.Context, st *State, t Turn, visited []string, unmatched bool) {
	if b.Observe == nil {
		return
	}
	if unmatched {
		b.Observe(ctx, "unmatched", t.Lang, "", st.Site, t.ChatID)
	}
	for _, v := range visited {
		flow, node, _ := strings.Cut(v, ":")
		switch {
		case flow == "human" && node == "escalate":
			b.Observe(ctx, "escalation", t.Lang, st.Vars["topic"], st.Site, t.ChatID)
		case !utilityFlows[flow] && b.Engine.flows[flow] != nil && node == b.Engine.flows[flow].Start:
			b.Observe(ctx, "topic_view", t.Lang, flow, st.Site, t.ChatID)
		}
	}
}

func (b *Bot) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Bot) idle() time.Duration {
	if b.Idle > 0 {
		return b.Idle
	}
	return 72 * time.Hour
}

// runActions runs the actions a step asks for until the flow waits, and
// returns every message and every node visited on the way.
func (b *Bot) runActions(ctx context.Context, st *State, t Turn, step Step) ([]chat.Outgoing, []string, error) {
	out, visited := step.Out, step.Visited
	for i := 0; step.Action != nil && i < 10; i++ {
		a := b.Actions[step.Action.Name]
		if a == nil {
			return nil, nil, fmt.Errorf("flows: action %q is not registered", step.Action.Name)
		}
		res, err := a.Run(ctx, *step.Action, t)
		if err != nil {
			return nil, nil, fmt.Errorf("flows: action %s: %w", step.Action.Name, err)
		}
		t.CallbackID = ""
		step = b.Engine.Resume(st, t, res)
		out = append(out, step.Out...)
		visited = append(visited, step.Visited...)
	}
	if len(out) > 0 && t.CallbackID != "" && out[0].CallbackID == "" {
		out[0].CallbackID = t.CallbackID
	}
	return out, visited, nil
}

func (b *Bot) command(st *State, t Turn, in chat.Incoming, cmd, arg string, first, matched bool) Step {
	switch cmd {
	case "start":
		return b.start(st, t, in, arg, first, matched)
	case "menu":
		return b.Engine.MainMenu(st, t)
	case "language":
		return Step{Out: []chat.Outgoing{b.picker(t, "start.choose_language")}}
	case "services":
		return b.Engine.Enter(st, t, "@services")
	case "courses":
		delete(st.Vars, "course") // choose afresh (a deep link sets it)
		return b.Engine.Enter(st, t, "@courses")
	case "help":
		s := b.Engine.MainMenu(st, t)
		return Step{Out: append([]chat.Outgoing{b.say(t, "help.text")}, s.Out...)}
	case "privacy":
		return Step{Out: []chat.Outgoing{b.privacyChoices(st, t)}}
	}
	return b.input(st, t, in) // an unknown command: treat it as text
}

// start greets; a first contact also gets the privacy notice (or the
// language list when Telegram's language was not recognised). A deep-link
// payload records the help point or opens a topic.
func (b *Bot) start(st *State, t Turn, in chat.Incoming, payload string, first, matched bool) Step {
	topic := ""
	if m := payloadRE.FindStringSubmatch(payload); m != nil {
		switch m[1] {
		case "site":
			st.Site = m[2]
		case "topic":
			if _, ok := b.Engine.flows[m[2]]; ok {
				topic = m[2]
			}
		case "course":
			st.setVar("course", m[2])
			topic = "courses"
		}
	}
	name := b.Texts.Isolate(t.Lang, in.From.FirstName)
	out := []chat.Outgoing{{ChatID: t.ChatID, Text: b.Texts.Text(t.Lang, "start.greeting", map[string]any{"Name": name})}}
	if topic != "" {
		st.Next = topic // after the language and privacy questions
	}
	switch {
	case first && !matched:
		return Step{Out: append(out, b.picker(t, "language.unsupported"))}
	case st.Consent == "":
		return Step{Out: append(out, b.privacy(st, t))}
	}
	st.Next = ""
	var s Step
	if topic != "" {
		s = b.Engine.Enter(st, t, "@"+topic)
	} else {
		s = b.Engine.MainMenu(st, t)
	}
	s.Out = append(out, s.Out...)
	return s
}

// privacy is the short privacy notice with the consent buttons and a way
// to change language.
func (b *Bot) privacy(st *State, t Turn) chat.Outgoing {
	m := b.privacyNotice(t)
	m.Buttons = append(consentButtons(&run{e: b.Engine, st: st, t: t}),
		[]chat.Button{{Text: "🌐 " + b.Texts.Text(t.Lang, "nav.language", nil), Data: navLanguage}})
	return m
}

func (b *Bot) button(sess *store.Session, st *State, t *Turn, data string) Step {
	if tag, ok := strings.CutPrefix(data, dataLanguage); ok && b.supported(tag) {
		sess.Lang, t.Lang = tag, tag
		confirm := b.say(*t, "language.changed")
		var s Step
		if st.Consent == "" {
			s = Step{Out: []chat.Outgoing{b.privacy(st, *t)}}
		} else {
			s = b.Engine.Reshow(st, *t)
		}
		s.Out = append([]chat.Outgoing{confirm}, s.Out...)
		return s
	}
	if id, ok := strings.CutPrefix(data, serviceData); ok {
		// A service of a "services near me" list: its details, wherever
		// the person is now (the action leaves the conversation as it is).
		return Step{Action: &ActionCall{Name: "directory.detail", Params: map[string]string{"id": id}, Vars: st.Vars, Lang: t.Lang, Site: st.Site}}
	}
	if strings.HasPrefix(data, dataAction) {
		if s, ok := b.Engine.Input(st, *t, chat.Incoming{Kind: chat.KindButton, Data: data, ChatID: t.ChatID}); ok {
			return s
		}
		return b.Engine.MainMenu(st, *t) // the search it belonged to is over
	}
	if flow, node, i, ok := parseChoice(data); ok {
		if s, ok := b.Engine.Choose(st, *t, flow, node, i); ok {
			return s
		}
		return b.Engine.MainMenu(st, *t)
	}
	switch data {
	case navBack:
		return b.Engine.Back(st, *t)
	case navMenu:
		return b.Engine.MainMenu(st, *t)
	case navRestart:
		st.Vars, st.PendingConsent = nil, ""
		return b.Engine.MainMenu(st, *t)
	case navContinue:
		return b.Engine.Reshow(st, *t)
	case navLanguage:
		return Step{Out: []chat.Outgoing{b.picker(*t, "start.choose_language")}}
	case navHuman:
		return b.Engine.Enter(st, *t, "@human")
	case consentYes, consentNo:
		st.Consent = "no"
		if data == consentYes {
			st.Consent = "yes"
		}
		if pending := st.PendingConsent; pending != "" && st.Consent == "yes" {
			st.PendingConsent = ""
			return b.Engine.Enter(st, *t, "@"+pending)
		}
		st.PendingConsent = ""
		reply := b.say(*t, "consent.thanks")
		if st.Consent == "no" {
			reply = b.say(*t, "consent.declined")
		}
		var s Step
		if next := st.Next; next != "" {
			st.Next = ""
			s = b.Engine.Enter(st, *t, "@"+next)
		} else {
			s = b.Engine.MainMenu(st, *t)
		}
		s.Out = append([]chat.Outgoing{reply}, s.Out...)
		return s
	}
	return b.Engine.MainMenu(st, *t) // a button this version does not know
}

// typedNav are the navigation buttons whose label, typed, does the same.
var typedNav = []struct{ id, data string }{
	{"nav.back", navBack}, {"nav.menu", navMenu}, {"welcome.restart", navRestart}, {"button.restart", navRestart},
}

// text handles typed text: navigation words, the waiting node, the open
// case (what a person writes while a counsellor follows them goes to the
// counsellor), then understanding.
func (b *Bot) text(ctx context.Context, st *State, t Turn, in chat.Incoming) (Step, error) {
	if st.Vars[caseVar] != "" && !b.isNavWord(t, in.Text) {
		if s, ok := b.Engine.Input(st, t, in); ok {
			return s, nil
		}
		out, relayed, err := b.relay(ctx, st, in)
		if err != nil || relayed {
			return Step{Out: out}, err
		}
	}
	return b.input(st, t, in), nil
}

func (b *Bot) isNavWord(t Turn, text string) bool {
	key := labelKey(text)
	for _, nav := range typedNav {
		for _, lang := range []string{t.Lang, "it"} {
			if key != "" && key == labelKey(b.Texts.Text(lang, nav.id, nil)) {
				return true
			}
		}
	}
	return false
}

// input handles typed text: navigation words ("Back", "Menu", "Start
// again" in the person's language or Italian), the waiting node, then
// understanding.
func (b *Bot) input(st *State, t Turn, in chat.Incoming) Step {
	key := labelKey(in.Text)
	for _, nav := range typedNav {
		for _, lang := range []string{t.Lang, "it"} {
			if key != "" && key == labelKey(b.Texts.Text(lang, nav.id, nil)) {
				return b.button(nil, st, &t, nav.data)
			}
		}
	}
	if s, ok := b.Engine.Input(st, t, in); ok {
		return s
	}
	intent, ok := "", false
	if b.Understand != nil {
		// "What is the Questura?": the word names a glossary entry and
		// the rest of the message asks what it is.
		if ref, rest, named := b.Engine.glossaryTerm(in.Text); named {
			if asks, sure := b.Understand.Understand(t.Lang, rest); sure && asks == glossaryFlow {
				return b.Engine.Enter(st, t, ref)
			}
		}
		intent, ok = b.Understand.Understand(t.Lang, in.Text)
	}
	if flow, isTopic := intentFlows[intent]; ok && isTopic {
		return b.Engine.Enter(st, t, "@"+flow)
	}
	if ok && intent == glossaryFlow {
		return b.Engine.Enter(st, t, "@"+glossaryFlow)
	}
	switch {
	case ok && intent == "human":
		return b.Engine.Enter(st, t, "@human")
	case ok && intent == "language":
		return Step{Out: []chat.Outgoing{b.picker(t, "start.choose_language")}}
	case ok && intent == "thanks":
		return Step{Out: []chat.Outgoing{b.say(t, "thanks.reply")}}
	case ok && (intent == "menu" || intent == "greeting"):
		return b.Engine.MainMenu(st, t)
	}
	s := b.Engine.MainMenu(st, t)
	sorry := b.say(t, "understand.not_understood")
	return Step{Out: append([]chat.Outgoing{sorry}, s.Out...), Visited: s.Visited, unmatched: true}
}

func (b *Bot) welcomeBack(t Turn) Step {
	m := b.say(t, "welcome.back")
	m.Buttons = [][]chat.Button{{
		{Text: "▶️ " + b.Texts.Text(t.Lang, "welcome.continue", nil), Data: navContinue},
		{Text: "🔄 " + b.Texts.Text(t.Lang, "welcome.restart", nil), Data: navRestart},
	}}
	return Step{Out: []chat.Outgoing{m}}
}

func (b *Bot) say(t Turn, id string) chat.Outgoing {
	return chat.Outgoing{ChatID: t.ChatID, Text: b.Texts.Text(t.Lang, id, nil)}
}

func (b *Bot) supported(tag string) bool {
	for _, l := range b.Texts.Languages() {
		if l.Tag == tag {
			return true
		}
	}
	return false
}

// picker shows every language in its own name, two per row.
func (b *Bot) picker(t Turn, promptID string) chat.Outgoing {
	var rows [][]chat.Button
	for i, l := range b.Texts.Languages() {
		btn := chat.Button{Text: l.Name, Data: dataLanguage + l.Tag}
		if i%2 == 0 {
			rows = append(rows, []chat.Button{btn})
		} else {
			rows[len(rows)-1] = append(rows[len(rows)-1], btn)
		}
	}
	return chat.Outgoing{ChatID: t.ChatID, Text: b.Texts.Text(t.Lang, promptID, nil), Buttons: rows}
}
