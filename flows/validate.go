package flows

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

// Limits a flow must respect to fit Telegram and a phone screen.
const (
	maxCallbackData = 64 // bytes, Telegram's limit
	maxMenuButtons  = 12 // choices in one menu, navigation not counted
)

// maxLabel is the longest button label (in characters, in any language)
// that stays readable with the given number of buttons per row.
var maxLabel = map[int]int{1: 40, 2: 24, 3: 16, 4: 12}

// TextChecker tells whether a locale id exists in a language.
type TextChecker interface {
	Has(lang, id string) bool
	Text(lang, id string, data map[string]any) string
	LanguageTags() []string
}

// Validate checks flows against the texts and the registered actions and
// returns every problem as "file:line: message", sorted. It finds unknown
// node references, unreachable nodes, texts missing in a language, callback
// data over 64 bytes, menus with too many buttons or labels too long to fit,
// unknown actions or inputs, and links that are not https.
func Validate(flows map[string]*Flow, texts TextChecker, actions map[string]bool) []string {
	v := &validator{flows: flows, texts: texts, actions: actions}
	for _, f := range flows {
		v.flow(f)
	}
	v.reachability()
	sort.Strings(v.errs)
	return v.errs
}

type validator struct {
	flows   map[string]*Flow
	texts   TextChecker
	actions map[string]bool
	errs    []string
}

func (v *validator) errf(f *Flow, line int, format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf("%s:%d: %s", f.File, line, fmt.Sprintf(format, args...)))
}

func (v *validator) flow(f *Flow) {
	if _, ok := f.Nodes[f.Start]; !ok {
		v.errf(f, 1, "start node %q does not exist", f.Start)
	}
	for _, id := range f.Order {
		n := f.Nodes[id]
		v.node(f, n)
	}
}

func (v *validator) node(f *Flow, n *Node) {
	ref := func(line int, r string) {
		if r == "" || r == "end" && n.Kind != "end" {
			return
		}
		if _, _, err := v.resolve(f, r); err != nil {
			v.errf(f, line, "node %q: %v", n.ID, err)
		}
	}
	text := func(line int, id string) {
		if id == "" {
			v.errf(f, line, "node %q: empty text id", n.ID)
			return
		}
		var missing []string
		for _, lang := range v.texts.LanguageTags() {
			if !v.texts.Has(lang, id) {
				missing = append(missing, lang)
			}
		}
		if len(missing) > 0 {
			v.errf(f, line, "node %q: text %q is missing in %s", n.ID, id, strings.Join(missing, ", "))
		}
	}
	switch n.Kind {
	case "say", "menu", "question":
		text(n.Line, n.Text)
	}
	if n.Kind != "end" && n.Kind != "branch" && n.Kind != "menu" {
		ref(n.Line, n.Then)
	}
	if n.Link != nil {
		text(n.Link.Line, n.Link.Text)
		if u, err := url.Parse(n.Link.URL); err != nil || u.Scheme != "https" || u.Host == "" {
			v.errf(f, n.Link.Line, "node %q: link %q is not an https URL", n.ID, n.Link.URL)
		}
	}
	if len(n.Buttons) > 0 && n.Kind != "menu" && n.Kind != "say" {
		v.errf(f, n.Line, "node %q: only a menu or a say can have buttons", n.ID)
	}
	switch n.Kind {
	case "menu", "say":
		if len(n.Buttons) == 0 && n.Kind == "menu" {
			v.errf(f, n.Line, "node %q: a menu needs buttons", n.ID)
		}
		if len(n.Buttons) > maxMenuButtons {
			v.errf(f, n.Line, "node %q: %d buttons do not fit a phone screen (at most %d)", n.ID, len(n.Buttons), maxMenuButtons)
		}
		cols := max(1, n.Columns)
		for i, c := range n.Buttons {
			if c.Label == "" {
				text(c.Line, c.Text)
			}
			ref(c.Line, c.Goto)
			if data := choiceData(f.ID, n.ID, i); len(data) > maxCallbackData {
				v.errf(f, c.Line, "node %q: callback data %q is %d bytes (Telegram allows %d): use shorter ids", n.ID, data, len(data), maxCallbackData)
			}
			for _, lang := range v.texts.LanguageTags() {
				label := c.Label
				if label == "" {
					label = v.texts.Text(lang, c.Text, nil)
				}
				if l := utf8.RuneCountInString(label); l > maxLabel[cols] {
					v.errf(f, c.Line, "node %q: button %q is %d characters in %s: too long for %d per row (at most %d)", n.ID, c.Text, l, lang, cols, maxLabel[cols])
				}
			}
			if c.Set != "" && !strings.Contains(c.Set, "=") {
				v.errf(f, c.Line, "node %q: set must read variable=value", n.ID)
			}
		}
	case "question":
		if !validInputs[n.Input] {
			v.errf(f, n.Line, "node %q: input %q is not one of text, phone, name, number, location, contact", n.ID, n.Input)
		}
		if n.Save == "" {
			v.errf(f, n.Line, "node %q: a question needs save: the variable that keeps the answer", n.ID)
		}
		if n.Invalid == "" {
			v.errf(f, n.Line, "node %q: a question needs invalid: the kind re-ask for a bad answer", n.ID)
		} else {
			text(n.Line, n.Invalid)
		}
		if (n.Input == "phone" || n.Input == "name") && !n.Personal {
			v.errf(f, n.Line, "node %q: a %s is personal data: mark the question personal: true", n.ID, n.Input)
		}
	case "branch":
		for i, c := range n.Cases {
			ref(c.Line, c.Goto)
			if c.Var == "" && i != len(n.Cases)-1 {
				v.errf(f, c.Line, "node %q: only the last arm may have no if", n.ID)
			}
		}
		if len(n.Cases) == 0 || n.Cases[len(n.Cases)-1].Var != "" {
			v.errf(f, n.Line, "node %q: a branch needs a last arm without if (the default)", n.ID)
		}
	case "action":
		if !v.actions[n.Action] {
			v.errf(f, n.Line, "node %q: unknown action %q", n.ID, n.Action)
		}
	}
}

var validInputs = map[string]bool{"text": true, "phone": true, "name": true, "number": true, "location": true, "contact": true}

// resolve finds the flow and node a reference points at.
func (v *validator) resolve(from *Flow, ref string) (*Flow, *Node, error) {
	return resolveRef(v.flows, from, ref)
}

func resolveRef(flows map[string]*Flow, from *Flow, ref string) (*Flow, *Node, error) {
	if ref == "end" {
		return from, endNode, nil
	}
	f, id := from, ref
	if rest, ok := strings.CutPrefix(ref, "@"); ok {
		fid, nid, _ := strings.Cut(rest, ":")
		f = flows[fid]
		if f == nil {
			return nil, nil, fmt.Errorf("flow %q does not exist", fid)
		}
		id = nid
		if id == "" {
			id = f.Start
		}
	}
	n := f.Nodes[id]
	if n == nil {
		return nil, nil, fmt.Errorf("node %q does not exist in flow %q", id, f.ID)
	}
	return f, n, nil
}

// endNode is the implicit end of every flow.
var endNode = &Node{ID: "end", Kind: "end"}

// reachability reports nodes that no path from a flow's start or from
// another flow's reference reaches.
func (v *validator) reachability() {
	seen := map[*Node]bool{}
	var walk func(f *Flow, n *Node)
	walk = func(f *Flow, n *Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		next := func(r string) {
			if r == "" {
				return
			}
			if tf, tn, err := resolveRef(v.flows, f, r); err == nil {
				walk(tf, tn)
			}
		}
		next(n.Then)
		for _, c := range n.Buttons {
			next(c.Goto)
		}
		for _, c := range n.Cases {
			next(c.Goto)
		}
	}
	for _, f := range v.flows {
		walk(f, f.Nodes[f.Start]) // every flow can be entered (menu, topic_ deep link)
	}
	for _, f := range v.flows {
		for _, id := range f.Order {
			if n := f.Nodes[id]; !seen[n] {
				v.errf(f, n.Line, "node %q is unreachable", id)
			}
		}
	}
}
