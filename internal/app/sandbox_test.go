package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/prils-lazio/presidio/internal/sandbox"
)

// sandboxAPI drives the sandbox page's JSON API of a running desk.
type sandboxAPI struct {
	d    *desk
	base string
}

func (s sandboxAPI) post(path string, body any) {
	s.d.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(s.base+path, "application/json", strings.NewReader(string(b)))
	if err != nil {
		s.d.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		s.d.t.Fatalf("POST %s %s: %d", path, b, resp.StatusCode)
	}
	s.d.settle(s.d.emu.LastUpdateID())
}

func (s sandboxAPI) get(path string, out any) {
	s.d.t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		s.d.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.d.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		s.d.t.Fatal(err)
	}
}

// entries is a whole transcript (the person's or a topic's).
func (s sandboxAPI) entries(path string) []sandbox.Entry {
	var out struct{ Entries []sandbox.Entry }
	s.get(path, &out)
	return out.Entries
}

// A coordinator tries a whole escalation in the sandbox page, playing the
// person and the operator: the case topic appears in the operators' panel,
// the operator's reply reaches the person signed by the help point, the
// card's Close button closes the case.
func TestSandboxEscalation(t *testing.T) {
	d := startDesk(t, t.TempDir())
	api := sandboxAPI{d: d, base: "http://" + d.a.Addr()}
	person := map[string]any{"user_id": 6006, "name": "Amina", "lang": "en"}
	say := func(text string) {
		person["text"] = text
		api.post("/sandbox/api/send", person)
	}
	say("/start")
	say("I want to talk to a person")
	// The case's consent question (what it keeps, who sees it, how long).
	ask := api.entries("/sandbox/api/transcript?user_id=6006")
	last := ask[len(ask)-1]
	if !strings.Contains(last.Text, "counsellor") || len(last.Buttons) == 0 {
		t.Fatalf("no consent question before opening the case: %+v", last)
	}
	api.post("/sandbox/api/send", map[string]any{"user_id": 6006, "name": "Amina", "lang": "en", "data": "consent:yes", "message_id": last.MessageID})

	var list struct{ Topics []sandbox.Topic }
	api.get("/sandbox/api/operators/topics", &list)
	if len(list.Topics) != 1 || !strings.Contains(list.Topics[0].Name, "C-000001") {
		t.Fatalf("topics: %+v", list.Topics)
	}
	thread := list.Topics[0].Thread
	topic := fmt.Sprintf("/sandbox/api/operators/transcript?thread=%d", thread)
	card := api.entries(topic)[0]
	if card.From != "bot" || !strings.Contains(card.Text, "Amina") || len(card.Buttons) == 0 {
		t.Fatalf("card: %+v", card)
	}

	api.post("/sandbox/api/operators/send", map[string]any{"thread": thread, "text": "Hello Amina, bring your receipt."})
	signed := false
	for _, e := range api.entries("/sandbox/api/transcript?user_id=6006") {
		signed = signed || e.From == "bot" && strings.HasPrefix(e.Text, "🏢 ") && strings.Contains(e.Text, "bring your receipt")
	}
	if !signed {
		t.Fatal("the person did not get the operator's signed reply")
	}
	mine, taken := false, false
	for _, e := range api.entries(topic) {
		mine = mine || e.From == "operator" && e.Name == sandbox.Operator.FirstName && e.Text == "Hello Amina, bring your receipt."
		taken = taken || e.From == "bot" && strings.Contains(e.Text, sandbox.Operator.FirstName)
	}
	if !mine || !taken {
		t.Fatalf("topic: the operator's message shown %v, taken notice %v", mine, taken)
	}

	var closeData string
	for _, row := range card.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Data, "op:close:") {
				closeData = b.Data
			}
		}
	}
	if closeData == "" {
		t.Fatalf("no Close button on the card: %+v", card.Buttons)
	}
	api.post("/sandbox/api/operators/send", map[string]any{"thread": thread, "message_id": card.MessageID, "data": closeData})
	// Close asks the outcome with buttons; one tap closes.
	topicEntries := api.entries(topic)
	askEntry := topicEntries[len(topicEntries)-1]
	if len(askEntry.Buttons) != 5 || !strings.HasPrefix(askEntry.Buttons[0][0].Data, "op:out:C-000001:") {
		t.Fatalf("Close did not ask the outcome: %+v", askEntry)
	}
	api.post("/sandbox/api/operators/send", map[string]any{"thread": thread, "message_id": askEntry.MessageID, "data": askEntry.Buttons[0][0].Data})
	entries := api.entries("/sandbox/api/transcript?user_id=6006")
	if last := entries[len(entries)-1]; last.Text != d.texts.Text("en", "case.closed", nil) {
		t.Fatalf("after Close, the person got %+v", last)
	}
}
