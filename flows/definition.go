package flows

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Flow is one flow file: a set of nodes and the one it starts at. Flows are
// data (flows/data/*.yaml, embedded); texts are locale ids, never words.
type Flow struct {
	ID    string
	File  string
	Start string
	Nodes map[string]*Node
	// Order lists node ids as written in the file.
	Order []string
}

// Node is one step of a flow. Its kind is given by which key it has:
//
//	say:      a message (locale id); then: the next node, default "end";
//	          buttons (optional): choices under the message, e.g. "more"
//	          or "What is the Questura?" (a glossary entry)
//	menu:     a question with buttons (locale id); buttons: the choices
//	question: a question answered by typing or sharing; input, save, invalid
//	branch:   a list of {if: "var == value", goto} (the last may have no if)
//	action:   a Go action by name (e.g. directory.nearest); params; then
//	end:      true — the topic's end: "more help?" with back, menu, a person
//
// A reference ("goto", "then", "flow") is a node of the same flow ("renewal"),
// another flow's start ("@health") or another flow's node ("@health:stp").
type Node struct {
	ID   string
	Line int
	Kind string

	Text    string            // locale id of what is said or asked
	Link    *Link             // an official link under a message
	Then    string            // next node after say, action and question
	Buttons []Choice          // menu choices; a say's extra choices
	Columns int               // menu buttons per row (default 1)
	Input   string            // question: text, phone, name, location, contact, number
	Save    string            // question: variable that keeps the answer
	Invalid string            // question: locale id of the kind re-ask
	Cases   []Case            // branch
	Action  string            // action name
	Params  map[string]string // action parameters; a glossary entry's other spellings ("also")
	// Personal marks a question that collects personal data: it is asked
	// only after the person consented.
	Personal bool
}

// Link is a URL button, e.g. the official page of a procedure.
type Link struct {
	Text string // locale id of the button label
	URL  string
	Line int
}

// Choice is one menu button.
type Choice struct {
	Text string // locale id
	// Label is a literal label used instead of Text, for proper nouns that
	// read the same in every language (a town's name).
	Label string
	Goto  string
	// Set stores a value when chosen ("level=A1").
	Set  string
	Line int
}

// Case is one arm of a branch: when Var equals Value (or always, when Var
// is empty), go to Goto.
type Case struct {
	Var, Value, Goto string
	Line             int
}

// nodeKinds are the keys that give a node its kind.
var nodeKinds = []string{"say", "menu", "question", "branch", "action", "end"}

// LoadFlows reads every *.yaml file of fsys. Errors read "file:line: what".
func LoadFlows(fsys fs.FS) (map[string]*Flow, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	flows := map[string]*Flow{}
	var errs []string
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		f, ferrs := parseFlow(path.Base(name), data)
		errs = append(errs, ferrs...)
		if f == nil {
			continue
		}
		if other, dup := flows[f.ID]; dup {
			errs = append(errs, fmt.Sprintf("%s:1: flow id %q is also used by %s", f.File, f.ID, other.File))
			continue
		}
		flows[f.ID] = f
	}
	if len(errs) > 0 {
		return nil, &LoadError{Problems: errs}
	}
	return flows, nil
}

// LoadError lists every problem found, one "file:line: message" each.
type LoadError struct{ Problems []string }

func (e *LoadError) Error() string { return strings.Join(e.Problems, "\n") }

func parseFlow(file string, data []byte) (*Flow, []string) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, []string{fmt.Sprintf("%s:%s", file, yamlErrorLine(err))}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, []string{fmt.Sprintf("%s:1: a flow file is a mapping with id, start and nodes", file)}
	}
	p := &parser{file: file}
	root := doc.Content[0]
	f := &Flow{File: file, Nodes: map[string]*Node{}}
	var nodes *yaml.Node
	for k, v := range pairs(root) {
		switch k.Value {
		case "id":
			f.ID = p.str(v)
		case "start":
			f.Start = p.str(v)
		case "nodes":
			nodes = v
		default:
			p.errf(k, "unknown key %q (want id, start, nodes)", k.Value)
		}
	}
	if f.ID == "" {
		p.errf(root, "missing id")
	}
	if nodes == nil || nodes.Kind != yaml.MappingNode {
		p.errf(root, "missing nodes")
		return nil, p.errs
	}
	for k, v := range pairs(nodes) {
		if _, dup := f.Nodes[k.Value]; dup {
			p.errf(k, "node %q is defined twice", k.Value)
			continue
		}
		n := p.node(k.Value, v)
		n.Line = k.Line
		f.Nodes[n.ID] = n
		f.Order = append(f.Order, n.ID)
	}
	if f.Start == "" && len(f.Order) > 0 {
		f.Start = f.Order[0]
	}
	return f, p.errs
}

type parser struct {
	file string
	errs []string
}

func (p *parser) errf(at *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, fmt.Sprintf("%s:%d: %s", p.file, at.Line, fmt.Sprintf(format, args...)))
}

func (p *parser) str(v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		p.errf(v, "expected a single value")
		return ""
	}
	return v.Value
}

func (p *parser) node(id string, v *yaml.Node) *Node {
	n := &Node{ID: id}
	if v.Kind != yaml.MappingNode {
		p.errf(v, "node %q: expected keys such as say, menu, question, branch, action or end", id)
		return n
	}
	for k, val := range pairs(v) {
		switch k.Value {
		case "say", "menu", "question":
			p.kind(n, k)
			n.Text = p.str(val)
		case "action":
			p.kind(n, k)
			n.Action = p.str(val)
		case "end":
			p.kind(n, k)
		case "branch":
			p.kind(n, k)
			n.Cases = p.cases(val)
		case "then":
			n.Then = p.str(val)
		case "link":
			n.Link = p.link(val)
		case "buttons":
			n.Buttons = p.choices(val)
		case "columns":
			if err := val.Decode(&n.Columns); err != nil || n.Columns < 1 || n.Columns > 4 {
				p.errf(val, "columns must be 1 to 4")
			}
		case "input":
			n.Input = p.str(val)
		case "save":
			n.Save = p.str(val)
		case "invalid":
			n.Invalid = p.str(val)
		case "personal":
			if err := val.Decode(&n.Personal); err != nil {
				p.errf(val, "personal must be true or false")
			}
		case "params":
			if err := val.Decode(&n.Params); err != nil {
				p.errf(val, "params must be a mapping of names to values")
			}
		default:
			p.errf(k, "node %q: unknown key %q", id, k.Value)
		}
	}
	if n.Kind == "" {
		p.errf(v, "node %q has no kind: give it one of %s", id, strings.Join(nodeKinds, ", "))
	}
	return n
}

func (p *parser) kind(n *Node, k *yaml.Node) {
	if n.Kind != "" {
		p.errf(k, "node %q is both %s and %s", n.ID, n.Kind, k.Value)
		return
	}
	n.Kind = k.Value
}

func (p *parser) link(v *yaml.Node) *Link {
	var l struct{ Text, URL string }
	if err := v.Decode(&l); err != nil || l.Text == "" || l.URL == "" {
		p.errf(v, "link needs text (a locale id) and url")
		return nil
	}
	return &Link{Text: l.Text, URL: l.URL, Line: v.Line}
}

func (p *parser) choices(v *yaml.Node) []Choice {
	if v.Kind != yaml.SequenceNode {
		p.errf(v, "buttons must be a list")
		return nil
	}
	var out []Choice
	for _, item := range v.Content {
		var c struct{ Text, Label, Goto, Set string }
		if err := item.Decode(&c); err != nil || (c.Text == "") == (c.Label == "") || c.Goto == "" {
			p.errf(item, "a button needs goto and either text (a locale id) or label (a proper noun)")
			continue
		}
		out = append(out, Choice{Text: c.Text, Label: c.Label, Goto: c.Goto, Set: c.Set, Line: item.Line})
	}
	return out
}

func (p *parser) cases(v *yaml.Node) []Case {
	if v.Kind != yaml.SequenceNode {
		p.errf(v, "branch must be a list of {if, goto}")
		return nil
	}
	var out []Case
	for _, item := range v.Content {
		var c struct{ If, Goto string }
		if err := item.Decode(&c); err != nil || c.Goto == "" {
			p.errf(item, "a branch arm needs goto (and if, except the last)")
			continue
		}
		arm := Case{Goto: c.Goto, Line: item.Line}
		if c.If != "" {
			name, value, ok := strings.Cut(c.If, "==")
			if !ok {
				p.errf(item, "if must read \"variable == value\"")
				continue
			}
			arm.Var, arm.Value = strings.TrimSpace(name), strings.TrimSpace(value)
		}
		out = append(out, arm)
	}
	return out
}

// pairs iterates over a YAML mapping's keys and values.
func pairs(m *yaml.Node) func(func(k, v *yaml.Node) bool) {
	return func(yield func(k, v *yaml.Node) bool) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if !yield(m.Content[i], m.Content[i+1]) {
				return
			}
		}
	}
}

// yamlErrorLine turns "yaml: line 7: did not find..." into "7: did not find...".
func yamlErrorLine(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ":"); ok {
			return n + ":" + tail
		}
	}
	return "1: " + msg
}
