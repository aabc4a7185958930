package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/prils-lazio/presidio/internal/telegramtest"
	"github.com/prils-lazio/presidio/locales"
)

const opChat int64 = -1001000000001

func init() { pollWait = time.Second } // a transcript without news answers quickly

// rig is an emulator with the operators' group and the sandbox over it.
type rig struct {
	t   *testing.T
	emu *telegramtest.Server
	srv *httptest.Server
}

func newRig(t *testing.T, operatorChat int64) *rig {
	t.Helper()
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	emu := telegramtest.New(telegramtest.Options{})
	t.Cleanup(emu.Close)
	emu.CreateForumGroup(opChat, "Operatori")
	srv := httptest.NewServer(New(emu, texts, operatorChat))
	t.Cleanup(srv.Close)
	return &rig{t: t, emu: emu, srv: srv}
}

// bot calls the emulator's Bot API as the bot does and decodes the result
// into out (when not nil).
func (r *rig) bot(method string, params map[string]any, out any) {
	r.t.Helper()
	body, _ := json.Marshal(params)
	resp, err := http.Post(r.emu.URL()+"/bot"+r.emu.Token()+"/"+method, "application/json", bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		Description string          `json:"description"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || !env.OK {
		r.t.Fatalf("%s: %v %s", method, err, env.Description)
	}
	if out != nil {
		if err := json.Unmarshal(env.Result, out); err != nil {
			r.t.Fatalf("%s result: %v", method, err)
		}
	}
}

func (r *rig) createTopic(name string) int {
	r.t.Helper()
	var topic models.ForumTopic
	r.bot("createForumTopic", map[string]any{"chat_id": opChat, "name": name}, &topic)
	return topic.MessageThreadID
}

// get fetches path and decodes its JSON answer into out; it returns the
// status code.
func (r *rig) get(path string, out any) int {
	r.t.Helper()
	resp, err := http.Get(r.srv.URL + path)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			r.t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp.StatusCode
}

func (r *rig) post(path, body string) int {
	r.t.Helper()
	resp, err := http.Post(r.srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func (r *rig) topics() []Topic {
	r.t.Helper()
	var out struct{ Topics []Topic }
	if code := r.get("/sandbox/api/operators/topics", &out); code != http.StatusOK {
		r.t.Fatalf("topics: %d", code)
	}
	return out.Topics
}

func (r *rig) entries(thread int, after int64) []Entry {
	r.t.Helper()
	var out struct{ Entries []Entry }
	if code := r.get(fmt.Sprintf("/sandbox/api/operators/transcript?thread=%d&after=%d", thread, after), &out); code != http.StatusOK {
		r.t.Fatalf("transcript of %d: %d", thread, code)
	}
	return out.Entries
}

// updates are the queued updates, read as the bot would (without
// confirming them).
func (r *rig) updates() []models.Update {
	r.t.Helper()
	var out []models.Update
	r.bot("getUpdates", map[string]any{"timeout": 0}, &out)
	return out
}

func TestOperatorsPanel(t *testing.T) {
	r := newRig(t, opChat)
	if got := r.topics(); len(got) != 0 {
		t.Fatalf("topics before any case: %+v", got)
	}

	// The bot opens three cases; one topic is deleted by hand.
	first := r.createTopic("C-000001 · Amina · it")
	gone := r.createTopic("C-000002 · Olena · uk")
	last := r.createTopic("C-000003 · Ali · ar")
	r.emu.DeleteTopic(opChat, gone)
	topics := r.topics()
	if len(topics) != 2 || topics[0].Thread != last || topics[1].Thread != first || topics[1].Name != "C-000001 · Amina · it" {
		t.Fatalf("topics, newest first without the deleted one: %+v", topics)
	}

	// The card, with its buttons.
	var card models.Message
	r.bot("sendMessage", map[string]any{
		"chat_id": opChat, "message_thread_id": first, "text": "🆕 C-000001 — Amina",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{{
			{"text": "✋ Prendo io", "callback_data": "take:C-000001"}, {"text": "✅ Chiudi", "callback_data": "close:C-000001"},
		}}},
	}, &card)
	// The person's photo and text, copied into the topic.
	person := telegramtest.User{ID: 5005, FirstName: "Amina", LanguageCode: "it"}
	r.emu.SendMessageUpdate(person, person.ID, 0, models.Message{
		Photo: []models.PhotoSize{{FileID: "photo-of-permit", Width: 800, Height: 600}}, Caption: "il mio permesso"})
	r.emu.SendMessageUpdate(person, person.ID, 0, models.Message{Voice: &models.Voice{FileID: "voice-1", Duration: 4}})
	for id := 1; id <= 2; id++ {
		r.bot("copyMessage", map[string]any{"chat_id": opChat, "message_thread_id": first, "from_chat_id": person.ID, "message_id": id}, nil)
	}
	// Something in another topic stays there.
	r.bot("sendMessage", map[string]any{"chat_id": opChat, "message_thread_id": last, "text": "altro caso"}, nil)

	got := r.entries(first, 0)
	if len(got) != 3 {
		t.Fatalf("transcript of the first topic: %+v", got)
	}
	if e := got[0]; e.From != "bot" || e.MessageID != card.ID || e.Text != "🆕 C-000001 — Amina" || len(e.Buttons) != 1 || len(e.Buttons[0]) != 2 {
		t.Fatalf("card: %+v", e)
	}
	if e := got[1]; e.From != "person" || e.Media != "photo" || e.FileID != "photo-of-permit" || e.Text != "il mio permesso" {
		t.Fatalf("copied photo: %+v", e)
	}
	if e := got[2]; e.From != "person" || e.Media != "voice" || e.FileID != "voice-1" {
		t.Fatalf("copied voice: %+v", e)
	}
	if topics := r.topics(); topics[1].Last != 3 || topics[0].Last != 1 {
		t.Fatalf("last entry of each topic: %+v", topics)
	}

	// The operator answers: the sandbox shows it, the bot gets the update.
	pending := r.emu.PendingUpdates()
	if code := r.post("/sandbox/api/operators/send", fmt.Sprintf(`{"thread":%d,"text":"Buongiorno Amina"}`, first)); code != http.StatusNoContent {
		t.Fatalf("send: %d", code)
	}
	if r.emu.PendingUpdates() != pending+1 {
		t.Fatalf("pending updates %d, want %d", r.emu.PendingUpdates(), pending+1)
	}
	upds := r.updates()
	msg := upds[len(upds)-1].Message
	if msg == nil || msg.Chat.ID != opChat || msg.MessageThreadID != first || !msg.IsTopicMessage || msg.From.ID != Operator.ID || msg.Text != "Buongiorno Amina" {
		t.Fatalf("the operator's message as the bot gets it: %+v", upds[len(upds)-1])
	}
	got = r.entries(first, 3)
	if len(got) != 1 || got[0].From != "operator" || got[0].Name != Operator.FirstName || got[0].Text != "Buongiorno Amina" || got[0].N != 4 {
		t.Fatalf("the operator's own message: %+v", got)
	}
	// Commands travel as commands.
	r.post("/sandbox/api/operators/send", fmt.Sprintf(`{"thread":%d,"text":"/close rinnovo spiegato"}`, first))
	upds = r.updates()
	if m := upds[len(upds)-1].Message; m == nil || len(m.Entities) == 0 || m.Entities[0].Type != models.MessageEntityTypeBotCommand {
		t.Fatalf("/close as the bot gets it: %+v", upds[len(upds)-1])
	}

	// Pressing the card's button is a callback query from the operator.
	body := fmt.Sprintf(`{"thread":%d,"message_id":%d,"data":"take:C-000001"}`, first, card.ID)
	if code := r.post("/sandbox/api/operators/send", body); code != http.StatusNoContent {
		t.Fatalf("press: %d", code)
	}
	upds = r.updates()
	q := upds[len(upds)-1].CallbackQuery
	if q == nil || q.Data != "take:C-000001" || q.From.ID != Operator.ID || q.Message.Message == nil || q.Message.Message.ID != card.ID || q.Message.Message.MessageThreadID != first {
		t.Fatalf("callback query: %+v", upds[len(upds)-1])
	}

	// The bot edits the card: the edit names the message it replaces.
	r.bot("editMessageText", map[string]any{"chat_id": opChat, "message_id": card.ID, "text": "✋ C-000001 — Operatore sandbox"}, nil)
	got = r.entries(first, 5)
	if len(got) != 1 || !got[0].Edited || got[0].MessageID != card.ID {
		t.Fatalf("edited card: %+v", got)
	}

	// A poll without news answers empty.
	if got := r.entries(last, 1); len(got) != 0 {
		t.Fatalf("no news: %+v", got)
	}
}

func TestOperatorsBadRequests(t *testing.T) {
	r := newRig(t, opChat)
	first := r.createTopic("C-000001")
	gone := r.createTopic("C-000002")
	r.emu.DeleteTopic(opChat, gone)
	var card, other models.Message
	r.bot("sendMessage", map[string]any{"chat_id": opChat, "message_thread_id": first, "text": "card",
		"reply_markup": `{"inline_keyboard":[[{"text":"Take","callback_data":"take:C-000001"}]]}`}, &card)
	r.bot("sendMessage", map[string]any{"chat_id": opChat, "text": "in General",
		"reply_markup": `{"inline_keyboard":[[{"text":"Take","callback_data":"take:C-000001"}]]}`}, &other)
	pending := r.emu.PendingUpdates()

	for _, body := range []string{
		`not json`,
		`{"thread":`,
		`{"thread":"1","text":"hi"}`,
		`{"text":"no thread"}`,
		`{"thread":999,"text":"unknown thread"}`,
		fmt.Sprintf(`{"thread":%d,"text":"deleted topic"}`, gone),
		fmt.Sprintf(`{"thread":%d,"text":"   "}`, first),
		fmt.Sprintf(`{"thread":%d}`, first),
		fmt.Sprintf(`{"thread":%d,"text":%q}`, first, strings.Repeat("a", 4097)),
		fmt.Sprintf(`{"thread":%d,"message_id":%d,"data":"close:C-000001"}`, first, card.ID),   // not on the card
		fmt.Sprintf(`{"thread":%d,"message_id":%d,"data":"take:C-000001"}`, first, other.ID),   // not in the topic
		fmt.Sprintf(`{"thread":%d,"message_id":%d,"data":"take:C-000001"}`, first, card.ID+99), // no such message
	} {
		if code := r.post("/sandbox/api/operators/send", body); code != http.StatusBadRequest {
			t.Errorf("send %.60s: %d, want 400", body, code)
		}
	}
	for _, q := range []string{"", "?thread=abc", "?thread=999", "?thread=0", fmt.Sprintf("?thread=%d", gone), fmt.Sprintf("?thread=%d&after=x", first)} {
		if code := r.get("/sandbox/api/operators/transcript"+q, nil); code != http.StatusBadRequest {
			t.Errorf("transcript%s: %d, want 400", q, code)
		}
	}
	if r.emu.PendingUpdates() != pending {
		t.Errorf("a refused request queued an update")
	}
	if got := r.entries(first, 0); len(got) != 1 {
		t.Errorf("a refused request was recorded: %+v", got)
	}
}

func TestPage(t *testing.T) {
	r := newRig(t, opChat)
	page := func(r *rig) string {
		resp, err := http.Get(r.srv.URL + "/?ui=en")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	html := page(r)
	for _, want := range []string{`id="opsLog"`, "Counsellors&#39; group", `const noCases = "No cases yet.`, `id="log"`, "The person&#39;s chat"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}

	// Without an operators' group: no panel, no API.
	r = newRig(t, 0)
	if html := page(r); strings.Contains(html, `id="opsLog"`) || strings.Contains(html, "noCases") {
		t.Error("the operators' panel is shown without an operators' group")
	}
	if code := r.get("/sandbox/api/operators/topics", nil); code != http.StatusNotFound {
		t.Errorf("topics without an operators' group: %d", code)
	}
	if code := r.post("/sandbox/api/operators/send", `{"thread":2,"text":"hi"}`); code != http.StatusNotFound {
		t.Errorf("send without an operators' group: %d", code)
	}
}

// The person's side shows files the bot copies to them (an operator's
// voice note) as a labelled placeholder too.
func TestPersonSeesCopiedMedia(t *testing.T) {
	r := newRig(t, opChat)
	thread := r.createTopic("C-000001")
	person := telegramtest.User{ID: 5005, FirstName: "Amina"}
	r.emu.AddUser(person)
	r.emu.SendMessageUpdate(Operator, opChat, thread, models.Message{Voice: &models.Voice{FileID: "voice-answer", Duration: 7}})
	var voice models.Message
	for _, u := range r.updates() {
		if u.Message != nil && u.Message.Voice != nil {
			voice = *u.Message
		}
	}
	r.bot("copyMessage", map[string]any{"chat_id": person.ID, "from_chat_id": opChat, "message_id": voice.ID, "caption": "🏢 PRILS"}, nil)
	var out struct{ Entries []Entry }
	r.get("/sandbox/api/transcript?user_id=5005", &out)
	if len(out.Entries) != 1 || out.Entries[0].Media != "voice" || out.Entries[0].FileID != "voice-answer" || out.Entries[0].Text != "🏢 PRILS" {
		t.Fatalf("person's transcript: %+v", out.Entries)
	}
}
