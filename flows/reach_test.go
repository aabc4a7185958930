package flows_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/flows"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/locales"
)

// TestEveryNodeReachableInEveryLanguage walks the flows from the main menu
// by pressing every button, in every language of locales, through the pure engine:
// every node is reached, no text is missing ("[id]"), no message is over
// Telegram's limit, and no callback data is over 64 bytes.
func TestEveryNodeReachableInEveryLanguage(t *testing.T) {
	texts, err := locales.LoadFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]flows.Action{}
	for name := range flows.Actions(nil, texts, nil, nil) {
		actions[name] = flows.ActionFunc(func(context.Context, flows.ActionCall, flows.Turn) (flows.ActionResult, error) {
			return flows.ActionResult{}, nil
		})
	}
	defs, err := flows.Load("", texts, actions)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range texts.LanguageTags() {
		e := flows.NewEngine(defs, texts)
		seen := map[string]bool{}
		queue := []string{"start"}
		visited := map[string]bool{}
		for len(queue) > 0 {
			data := queue[0]
			queue = queue[1:]
			if visited[data] {
				continue
			}
			visited[data] = true
			st := &flows.State{Consent: "yes"}
			tu := flows.Turn{ChatID: 1, Lang: lang}
			var step flows.Step
			switch data {
			case "start":
				step = e.MainMenu(st, tu)
			case "n:human":
				step = e.Enter(st, tu, "@human")
			default:
				var ok bool
				step, ok = e.Press(st, tu, data)
				if !ok {
					t.Fatalf("%s: button %q does nothing", lang, data)
				}
			}
			// Run actions (as no-ops) and answer questions with valid sample
			// answers, so the nodes after them are walked too.
			for guard := 0; guard < 20; guard++ {
				for _, v := range step.Visited {
					seen[v] = true
				}
				if step.Action != nil {
					more := e.Resume(st, tu, flows.ActionResult{})
					more.Out = append(step.Out, more.Out...)
					step = more
					continue
				}
				n := defs[st.Flow].Nodes[st.Node]
				if n == nil || n.Kind != "question" {
					break
				}
				answer := map[string]chat.Incoming{
					"name":     {Kind: chat.KindText, Text: "Amina Diallo"},
					"phone":    {Kind: chat.KindText, Text: "+39 333 123 4567"},
					"text":     {Kind: chat.KindText, Text: "testo"},
					"number":   {Kind: chat.KindText, Text: "3"},
					"location": {Kind: chat.KindLocation, Location: &chat.Location{Latitude: 41.8, Longitude: 12.68}},
					"contact":  {Kind: chat.KindContact, Contact: "+393331234567"},
				}[n.Input]
				more, ok := e.Input(st, tu, answer)
				if !ok {
					t.Fatalf("%s: a valid answer to %s:%s was refused", lang, st.Flow, st.Node)
				}
				more.Out = append(step.Out, more.Out...)
				step = more
			}
			for _, m := range step.Out {
				if strings.Contains(m.Text, "[") && strings.Contains(m.Text, ".") && strings.HasPrefix(strings.TrimSpace(m.Text), "[") {
					t.Errorf("%s: missing text %q", lang, m.Text)
				}
				for _, part := range bot.SplitText(m.Text, bot.MaxMessageLen) {
					if utf8.RuneCountInString(part) > bot.MaxMessageLen {
						t.Errorf("%s: message too long", lang)
					}
				}
				for _, row := range m.Buttons {
					for _, b := range row {
						if len(b.Data) > 64 {
							t.Errorf("%s: callback data %q over 64 bytes", lang, b.Data)
						}
						if strings.HasPrefix(b.Data, "c:") || b.Data == "n:human" {
							queue = append(queue, b.Data)
						}
						if b.Text == "" || strings.HasPrefix(b.Text, "[") {
							t.Errorf("%s: button without text: %+v", lang, b)
						}
					}
				}
			}
		}
		for _, f := range defs {
			for _, id := range f.Order {
				if !seen[f.ID+":"+id] {
					t.Errorf("%s: node %s:%s never reached from the main menu", lang, f.ID, id)
				}
			}
		}
	}
}
