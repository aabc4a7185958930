package flows

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/locales"
)

// testTexts is a two-language catalog for engine tests: the real locales
// are tested in locales/ and by the transcript tests.
type testTexts map[string]map[string]string

func (c testTexts) Text(lang, id string, data map[string]any) string {
	if t, ok := c[lang][id]; ok {
		return t
	}
	if t, ok := c["it"][id]; ok {
		return t
	}
	return "[" + id + "]"
}
func (c testTexts) Has(lang, id string) bool      { _, ok := c[lang][id]; return ok }
func (c testTexts) LanguageTags() []string        { return []string{"it", "en"} }
func (c testTexts) Languages() []locales.Language { return nil }
func (c testTexts) Match(string) (string, bool)   { return "", false }
func (c testTexts) Isolate(_, s string) string    { return s }

func texts() testTexts {
	it := map[string]string{"t.main": "Menu", "t.b.a": "Prima", "t.b.b": "Seconda", "t.pick": "Scegli", "t.answer": "Risposta",
		"t.link": "Pagina", "t.ask_name": "Come ti chiami?", "t.bad_name": "Non è un nome", "t.done": "Fatto",
		"nav.back": "Indietro", "nav.menu": "Menu", "nav.human": "Persona", "nav.language": "Lingua", "end.more": "Altro?",
		"consent.needed": "Accetti?", "consent.yes": "Sì", "consent.no": "No",
		"t.b.c": "Terza", "t.brief": "In breve", "t.more": "Di più"}
	en := map[string]string{}
	for k, v := range it {
		en[k] = v + " (en)"
	}
	return testTexts{"it": it, "en": en}
}

var testActions = map[string]Action{"test.where": ActionFunc(func(_ context.Context, c ActionCall, t Turn) (ActionResult, error) {
	if c.Input == nil {
		return ActionResult{Wait: true, Out: []chat.Outgoing{{ChatID: t.ChatID, Text: "where?"}}}, nil
	}
	return ActionResult{Out: []chat.Outgoing{{ChatID: t.ChatID, Text: "found"}}, Vars: map[string]string{"place": "here"}}, nil
})}

func loadGood(t *testing.T) *Engine {
	defs, err := LoadFlows(os.DirFS("testdata/good"))
	if err != nil {
		t.Fatal(err)
	}
	if problems := Validate(defs, texts(), map[string]bool{"test.where": true}); len(problems) > 0 {
		t.Fatalf("good flows do not validate:\n%s", strings.Join(problems, "\n"))
	}
	return NewEngine(defs, texts())
}

func TestValidationFindsEveryProblemWithItsLine(t *testing.T) {
	defs, err := LoadFlows(os.DirFS("testdata/bad"))
	if err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(Validate(defs, texts(), map[string]bool{"test.where": true}), "\n")
	for _, want := range []string{
		`main.yaml:7: node "menu": node "nowhere" does not exist in flow "main"`,
		`main.yaml:8: node "menu": text "t.missing" is missing in it, en`,
		`main.yaml:11: node "lonely" is unreachable`,
		`callback data "c:main:very_long_node_name`,
		`main.yaml:17: node "asks": input "shoe_size" is not one of`,
		`main.yaml:23: node "acts": unknown action "no.such.action"`,
		`main.yaml:25: node "acts_with_buttons": only a menu or a say can have buttons`,
		`main.yaml:32: node "says_more": node "gone" does not exist in flow "main"`,
	} {
		if !strings.Contains(problems, want) {
			t.Errorf("validation misses %q; got:\n%s", want, problems)
		}
	}
}

func TestSyntaxErrorsHaveFileAndLine(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/main.yaml", []byte("id: main\nnodes:\n  a:\n    say: [unclosed\n"), 0o600)
	_, err := LoadFlows(os.DirFS(dir))
	if err == nil || !strings.HasPrefix(err.Error(), "main.yaml:") {
		t.Fatalf("got %v, want an error starting with main.yaml:LINE", err)
	}
	os.WriteFile(dir+"/main.yaml", []byte("id: main\nnodes:\n  a:\n    sai: x\n"), 0o600)
	_, err = LoadFlows(os.DirFS(dir))
	if err == nil || !strings.Contains(err.Error(), `main.yaml:4: node "a": unknown key "sai"`) {
		t.Fatalf("got %v", err)
	}
}

func TestMenuAnswerBackAndEnd(t *testing.T) {
	e := loadGood(t)
	st := &State{}
	tu := Turn{ChatID: 1, Lang: "en"}
	s := e.MainMenu(st, tu)
	if s.Out[0].Text != "Menu (en)" || st.Flow != "main" || st.Node != "menu" {
		t.Fatalf("main menu: %+v state %+v", s.Out, st)
	}
	s, ok := e.Choose(st, tu, "main", "menu", 0)
	if !ok || s.Out[0].Text != "Scegli (en)" || st.Flow != "topic" || st.Node != "pick" {
		t.Fatalf("into topic: %+v %+v", s.Out, st)
	}
	// Typing the button's label works like pressing it.
	s, ok = e.Input(st, tu, chat.Incoming{Kind: chat.KindText, Text: "prima (EN)"})
	if !ok || s.Out[0].Text != "Risposta (en)" {
		t.Fatalf("typed label: %v %+v", ok, s.Out)
	}
	btns := s.Out[0].Buttons
	if btns[0][0].URL != "https://example.org/official" || btns[1][0].Data != navBack || btns[2][0].Data != navHuman {
		t.Fatalf("answer buttons: %+v", btns)
	}
	s = e.Back(st, tu)
	if st.Node != "pick" || s.Out[0].Text != "Scegli (en)" {
		t.Fatalf("back: %+v %+v", s.Out, st)
	}
	s = e.Back(st, tu)
	if st.Node != "menu" {
		t.Fatalf("back twice: %+v", st)
	}
}

// An answer may carry buttons (a "more" or "What is …?"): they sit above
// the topic's end navigation, work from that message, and Back returns to
// the answer.
func TestAnswerWithButtons(t *testing.T) {
	e := loadGood(t)
	st := &State{}
	tu := Turn{ChatID: 1, Lang: "en"}
	e.Enter(st, tu, "@topic")
	s, _ := e.Choose(st, tu, "topic", "pick", 2)
	btns := s.Out[0].Buttons
	if s.Out[0].Text != "In breve (en)" || btns[0][0].Text != "Di più (en)" || btns[0][0].Data != choiceData("topic", "brief", 0) ||
		btns[1][0].Data != navBack || btns[2][0].Data != navHuman || st.Node != "end" {
		t.Fatalf("answer with a button: %+v %+v", s.Out, st)
	}
	s, ok := e.Press(st, tu, btns[0][0].Data)
	if !ok || s.Out[0].Text != "Risposta (en)" {
		t.Fatalf("more: %v %+v", ok, s.Out)
	}
	s = e.Back(st, tu)
	if s.Out[0].Text != "In breve (en)" {
		t.Fatalf("back to the short answer: %+v", s.Out)
	}
}

func TestPersonalQuestionNeedsConsentAndValidInput(t *testing.T) {
	e := loadGood(t)
	st := &State{}
	tu := Turn{ChatID: 1, Lang: "it"}
	e.Enter(st, tu, "@topic")
	s, _ := e.Choose(st, tu, "topic", "pick", 1) // sets level=A1, branch → name
	if st.Vars["level"] != "A1" || s.Out[0].Text != "Accetti?" || st.PendingConsent != "topic:name" {
		t.Fatalf("consent first: %+v %+v", s.Out, st)
	}
	st.Consent = "yes"
	s = e.Enter(st, tu, "@topic:name")
	if s.Out[0].Text != "Come ti chiami?" {
		t.Fatalf("question: %+v", s.Out)
	}
	for _, bad := range []string{"12345", "🙂🙂", "x"} {
		s, ok := e.Input(st, tu, chat.Incoming{Kind: chat.KindText, Text: bad})
		if !ok || s.Out[0].Text != "Non è un nome" || s.Out[1].Text != "Come ti chiami?" || st.Node != "name" {
			t.Fatalf("bad name %q: %+v", bad, s.Out)
		}
	}
	s, _ = e.Input(st, tu, chat.Incoming{Kind: chat.KindText, Text: "  Olena   Kovalenko "})
	if st.Vars["name"] != "Olena Kovalenko" || s.Action == nil || s.Action.Name != "test.where" {
		t.Fatalf("good name: %+v %+v", st, s)
	}
	res, _ := testActions["test.where"].Run(context.Background(), *s.Action, tu)
	s = e.Resume(st, tu, res)
	if !res.Wait || s.Out[0].Text != "where?" || st.Node != "where" {
		t.Fatalf("action waits: %+v %+v", s.Out, st)
	}
	s, ok := e.Input(st, tu, chat.Incoming{Kind: chat.KindLocation, Location: &chat.Location{Latitude: 41.8, Longitude: 12.6}})
	if !ok || s.Action == nil || s.Action.Input == nil {
		t.Fatalf("location to the waiting action: %+v", s)
	}
	res, _ = testActions["test.where"].Run(context.Background(), *s.Action, tu)
	s = e.Resume(st, tu, res)
	if s.Out[0].Text != "found" || s.Out[1].Text != "Fatto" || st.Vars["place"] != "here" || st.Node != "end" {
		t.Fatalf("after the action: %+v %+v", s.Out, st)
	}
}

func TestPhoneValidation(t *testing.T) {
	good := map[string]string{"333 123 4567": "+393331234567", "+39 06 1234 5678": "+390612345678", "0039 333 1234567": "+393331234567", "+380 (67) 123-45-67": "+380671234567", "٣٣٣١٢٣٤٥٦٧": "+393331234567"}
	for in, want := range good {
		if got, ok := normalizePhone(in); !ok || got != want {
			t.Errorf("%q → %q %v, want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"12", "call me", "333-abc-4567", "+1234567890123456789", "5551234567"} {
		if got, ok := normalizePhone(bad); ok {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
}
