package flows

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/prils-lazio/presidio/internal/chat"
)

// Engine runs flows. It is pure: given a state and an input it returns the
// new state (in place) and the messages to send, and does no I/O. When a
// flow reaches an action node it returns an ActionCall; the caller runs the
// action (which may do I/O) and hands the result back with Resume.
type Engine struct {
	flows map[string]*Flow
	texts Catalog
	// TextData is given to texts the engine says on its own (a case's
	// consent question names the retention period).
	TextData map[string]any
}

// NewEngine returns an engine over validated flows.
func NewEngine(flows map[string]*Flow, texts Catalog) *Engine {
	// 12 months is PRESIDIO_CASE_RETENTION's default; the app sets the real one.
	return &Engine{flows: flows, texts: texts, TextData: map[string]any{"CaseMonths": "12", "CourseMonths": "6"}}
}

// Flows returns the loaded flows by id.
func (e *Engine) Flows() map[string]*Flow { return e.flows }

// Step is what one call of the engine produced.
type Step struct {
	Out []chat.Outgoing
	// Visited lists the nodes run ("flow:node"), in order: what the person
	// was shown (the observatory counts topics from it).
	Visited []string
	// Action, when set, must be run and its result given to Resume.
	Action *ActionCall
	// unmatched marks free text that was not understood.
	unmatched bool
}

// ActionCall asks the caller to run a registered action.
type ActionCall struct {
	Name   string
	Params map[string]string
	Vars   map[string]string
	Lang   string
	// Site is the help point the person came from (may be empty).
	Site string
	// Input is what the person sent while the action waited (a location).
	Input *chat.Incoming
}

// ActionResult is what an action hands back: messages to send, variables
// to keep (an empty value deletes the variable), and whether it waits for the person's input (e.g. a location)
// before it can finish. When it does not wait, the flow goes on to the
// action node's "then".
type ActionResult struct {
	Out  []chat.Outgoing
	Vars map[string]string
	Wait bool
}

// Turn is the context of one step: who, in which language.
type Turn struct {
	ChatID     int64
	Lang       string
	CallbackID string
	// Name is the person's first name on Telegram.
	Name string
}

// Enter starts a flow at a reference ("@health", "@health:stp"), pushing
// the node waiting now onto the Back history.
func (e *Engine) Enter(st *State, t Turn, ref string) Step {
	f, n, err := resolveRef(e.flows, e.flows["main"], ref)
	if err != nil {
		f, n = e.flows["main"], e.flows["main"].Nodes[e.flows["main"].Start]
	}
	r := &run{e: e, st: st, t: t}
	r.exec(f, n)
	return r.step()
}

// MainMenu clears the Back history and shows the main menu.
func (e *Engine) MainMenu(st *State, t Turn) Step {
	st.Back, st.Flow, st.Node = nil, "", ""
	return e.Enter(st, t, "@main")
}

// Back returns to the previous node that waited for a choice or an answer
// (the main menu when none); an action that waited (for a location) is
// skipped, so Back after a search goes to the menu before it.
func (e *Engine) Back(st *State, t Turn) Step {
	for len(st.Back) > 0 {
		prev := st.Back[len(st.Back)-1]
		st.Back = st.Back[:len(st.Back)-1]
		fid, nid, _ := strings.Cut(prev, ":")
		if f := e.flows[fid]; f != nil && f.Nodes[nid] != nil && f.Nodes[nid].Kind != "action" {
			st.Flow, st.Node = "", "" // re-entering must not push
			r := &run{e: e, st: st, t: t, noPush: true}
			r.exec(f, f.Nodes[nid])
			return r.step()
		}
	}
	return e.MainMenu(st, t)
}

// Reshow shows the waiting node again (after "continue where I left off").
func (e *Engine) Reshow(st *State, t Turn) Step {
	f := e.flows[st.Flow]
	if f == nil || (f.Nodes[st.Node] == nil && st.Node != "end") {
		return e.MainMenu(st, t)
	}
	n := f.Nodes[st.Node]
	if st.Node == "end" {
		n = endNode
	}
	r := &run{e: e, st: st, t: t, noPush: true}
	r.exec(f, n)
	return r.step()
}

// Press applies the callback data of a menu button ("c:flow:node:i").
func (e *Engine) Press(st *State, t Turn, data string) (Step, bool) {
	flow, node, i, ok := parseChoice(data)
	if !ok {
		return Step{}, false
	}
	return e.Choose(st, t, flow, node, i)
}

// Choose applies a button press of a menu, or of an answer with buttons
// ("more", "What is …?"), from any message, also an older one.
func (e *Engine) Choose(st *State, t Turn, flowID, nodeID string, i int) (Step, bool) {
	f := e.flows[flowID]
	if f == nil || f.Nodes[nodeID] == nil || i >= len(f.Nodes[nodeID].Buttons) {
		return Step{}, false
	}
	c := f.Nodes[nodeID].Buttons[i]
	st.Flow, st.Node = f.ID, nodeID
	return e.follow(st, t, f, c), true
}

func (e *Engine) follow(st *State, t Turn, f *Flow, c Choice) Step {
	if k, v, ok := strings.Cut(c.Set, "="); ok {
		st.setVar(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	tf, tn, err := resolveRef(e.flows, f, c.Goto)
	if err != nil {
		return e.MainMenu(st, t)
	}
	r := &run{e: e, st: st, t: t}
	r.exec(tf, tn)
	return r.step()
}

// Input gives the waiting node what the person typed or shared. It reports
// false when the waiting node does not take it (free text at a topic's end,
// say), so the caller can try to understand it as a new question.
func (e *Engine) Input(st *State, t Turn, in chat.Incoming) (Step, bool) {
	f := e.flows[st.Flow]
	if f == nil {
		return Step{}, false
	}
	n := f.Nodes[st.Node]
	if n == nil {
		return Step{}, false
	}
	switch n.Kind {
	case "menu":
		if in.Kind != chat.KindText {
			return Step{}, false
		}
		want := labelKey(in.Text)
		for _, c := range n.Buttons {
			if c.Label != "" && labelKey(c.Label) == want {
				return e.follow(st, t, f, c), true
			}
			for _, lang := range []string{t.Lang, "it"} {
				if want != "" && c.Label == "" && labelKey(e.texts.Text(lang, c.Text, nil)) == want {
					return e.follow(st, t, f, c), true
				}
			}
		}
		return Step{}, false
	case "question":
		value, ok := validate(n.Input, in)
		r := &run{e: e, st: st, t: t}
		if !ok {
			r.say(n.Invalid, nil)
			r.noPush = true
			r.exec(f, n) // ask again
			return r.step(), true
		}
		st.setVar(n.Save, value)
		r.exec(r.next(f, n.Then))
		return r.step(), true
	case "action":
		if in.Kind != chat.KindLocation && in.Kind != chat.KindContact && !(in.Kind == chat.KindButton && strings.HasPrefix(in.Data, dataAction)) {
			return Step{}, false
		}
		return Step{Action: &ActionCall{Name: n.Action, Params: n.Params, Vars: st.Vars, Lang: t.Lang, Site: st.Site, Input: &in}}, true
	}
	return Step{}, false
}

// Resume continues after an action at the waiting action node.
func (e *Engine) Resume(st *State, t Turn, res ActionResult) Step {
	for k, v := range res.Vars {
		if v == "" {
			delete(st.Vars, k) // an action forgets what it no longer needs
			continue
		}
		st.setVar(k, v)
	}
	r := &run{e: e, st: st, t: t, out: res.Out}
	f := e.flows[st.Flow]
	if f == nil || f.Nodes[st.Node] == nil {
		return r.step()
	}
	if res.Wait {
		return r.step()
	}
	r.exec(r.next(f, f.Nodes[st.Node].Then))
	return r.step()
}

// utilityFlows are not topics: a case opened from them keeps the topic the
// person was in before.
var utilityFlows = map[string]bool{"main": true, "services": true, "human": true, "courses": true, glossaryFlow: true}

// run executes nodes until one waits for the person.
type run struct {
	e       *Engine
	st      *State
	t       Turn
	out     []chat.Outgoing
	action  *ActionCall
	noPush  bool
	visited []string
}

func (r *run) step() Step {
	if r.t.CallbackID != "" && len(r.out) > 0 {
		r.out[0].CallbackID = r.t.CallbackID
	}
	return Step{Out: r.out, Action: r.action, Visited: r.visited}
}

func (r *run) text(id string, vars map[string]string) string {
	data := map[string]any{}
	for k, v := range vars {
		data[k] = v
	}
	return r.e.texts.Text(r.t.Lang, id, data)
}

func (r *run) sayData(id string, data map[string]any) *chat.Outgoing {
	r.out = append(r.out, chat.Outgoing{ChatID: r.t.ChatID, Text: r.e.texts.Text(r.t.Lang, id, data)})
	return &r.out[len(r.out)-1]
}

func (r *run) say(id string, vars map[string]string) *chat.Outgoing {
	r.out = append(r.out, chat.Outgoing{ChatID: r.t.ChatID, Text: r.text(id, vars)})
	return &r.out[len(r.out)-1]
}

// next resolves where a flow goes after a node ("" and "end": the end).
func (r *run) next(f *Flow, ref string) (*Flow, *Node) {
	if ref == "" || ref == "end" {
		return f, endNode
	}
	tf, tn, err := resolveRef(r.e.flows, f, ref)
	if err != nil {
		return f, endNode
	}
	return tf, tn
}

func (r *run) wait(f *Flow, n *Node) {
	if !r.noPush {
		r.st.push()
	}
	r.noPush = false
	r.st.Flow, r.st.Node = f.ID, n.ID
}

func (r *run) exec(f *Flow, n *Node) {
	for range 100 { // flows are validated; this only guards against a loop of says
		r.visited = append(r.visited, f.ID+":"+n.ID)
		if !utilityFlows[f.ID] {
			r.st.setVar("topic", f.ID) // what a "talk to a person" from here is about
		}
		switch n.Kind {
		case "say":
			m := r.say(n.Text, r.st.Vars)
			if n.Link != nil {
				m.Buttons = append(m.Buttons, []chat.Button{{Text: "🔗 " + r.text(n.Link.Text, nil), URL: n.Link.URL}})
			}
			m.Buttons = append(m.Buttons, r.choiceRows(f, n)...)
			if f, n = r.next(f, n.Then); n == endNode {
				r.end(f, m)
				return
			}
		case "menu":
			m := r.say(n.Text, r.st.Vars)
			m.Buttons = r.menuButtons(f, n)
			r.wait(f, n)
			return
		case "question":
			if n.Personal && r.st.Consent != "yes" {
				r.st.PendingConsent = f.ID + ":" + n.ID
				m := r.say("consent.needed", nil)
				m.Buttons = consentButtons(r)
				r.wait(f, n)
				return
			}
			m := r.say(n.Text, r.st.Vars)
			switch n.Input {
			case "location":
				m.Keyboard = [][]chat.KeyboardButton{{{Text: "📍 " + r.text("button.share_location", nil), RequestLocation: true}}}
			case "phone", "contact":
				m.Keyboard = [][]chat.KeyboardButton{{{Text: "📞 " + r.text("button.share_phone", nil), RequestContact: true}}}
			}
			r.wait(f, n)
			return
		case "branch":
			target := ""
			for _, c := range n.Cases {
				if c.Var == "" || r.st.Vars[c.Var] == c.Value {
					target = c.Goto
					break
				}
			}
			f, n = r.next(f, target)
		case "action":
			if n.Personal && r.st.Consent != "yes" {
				// An action that keeps personal data (opening a case)
				// says what it keeps, who sees it and for how long, and
				// waits for consent; "I agree" resumes it.
				r.st.PendingConsent = f.ID + ":" + n.ID
				m := r.sayData("case.consent", r.e.TextData)
				m.Buttons = consentButtons(r)
				r.wait(f, n)
				return
			}
			r.wait(f, n)
			r.action = &ActionCall{Name: n.Action, Params: n.Params, Vars: r.st.Vars, Lang: r.t.Lang, Site: r.st.Site}
			return
		case "end":
			r.end(f, nil)
			return
		default:
			panic(fmt.Sprintf("flows: node %s:%s has unknown kind %q", f.ID, n.ID, n.Kind))
		}
	}
}

// end closes a topic: the last answer (or a short "anything else?") gets
// Back, Main menu and Talk to a person under it.
func (r *run) end(f *Flow, last *chat.Outgoing) {
	if last == nil {
		last = r.say("end.more", nil)
	}
	last.Buttons = append(last.Buttons, navRow(r, true)...)
	r.wait(f, endNode)
}

func (r *run) menuButtons(f *Flow, n *Node) [][]chat.Button {
	rows := r.choiceRows(f, n)
	if f.ID == "main" && n.ID == f.Start {
		return append(rows, []chat.Button{{Text: "🌐 " + r.text("nav.language", nil), Data: navLanguage}, {Text: "🙋 " + r.text("nav.human", nil), Data: navHuman}})
	}
	return append(rows, navRow(r, false)...)
}

// choiceRows lays out a node's choices, Columns per row.
func (r *run) choiceRows(f *Flow, n *Node) [][]chat.Button {
	cols := max(1, n.Columns)
	var rows [][]chat.Button
	for i, c := range n.Buttons {
		b := chat.Button{Text: c.Label, Data: choiceData(f.ID, n.ID, i)}
		if c.Label == "" {
			b.Text = r.text(c.Text, nil)
		}
		if i%cols == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], b)
	}
	return rows
}

// navRow is Back and Main menu, and Talk to a person at a topic's end.
func navRow(r *run, human bool) [][]chat.Button {
	rows := [][]chat.Button{{
		{Text: "⬅️ " + r.text("nav.back", nil), Data: navBack},
		{Text: "🏠 " + r.text("nav.menu", nil), Data: navMenu},
	}}
	if human {
		rows = append(rows, []chat.Button{{Text: "🙋 " + r.text("nav.human", nil), Data: navHuman}})
	}
	return rows
}

func consentButtons(r *run) [][]chat.Button {
	return [][]chat.Button{{
		{Text: "✅ " + r.text("consent.yes", nil), Data: consentYes},
		{Text: r.text("consent.no", nil), Data: consentNo},
	}}
}

// labelKey reduces a button label or a typed text to its letters and
// digits, lower case, so "🪪 Permesso" and "permesso" compare equal.
func labelKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
