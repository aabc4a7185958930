package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// Operator is the simulated operator the coordinator writes as in the
// operators' group: a plain member, as the counsellors of a help point are.
var Operator = telegramtest.User{ID: 900001, FirstName: "Operatore sandbox", LanguageCode: "it"}

// maxText is Telegram's limit on a message's length.
const maxText = 4096

// Topic is a case topic of the operators' group, as the page lists it.
type Topic struct {
	Thread int    `json:"thread"`
	Name   string `json:"name"`
	Closed bool   `json:"closed,omitempty"`
	// Last is the number of the topic's last entry (0 when none), so the
	// page can mark topics with news.
	Last int64 `json:"last"`
}

// operatorTopics lists the live topics of the operators' group, newest
// first: GET /sandbox/api/operators/topics.
func (s *Sandbox) operatorTopics(w http.ResponseWriter, r *http.Request) {
	if s.opChat == 0 {
		http.NotFound(w, r)
		return
	}
	all := s.emu.Topics(s.opChat)
	out := []Topic{}
	s.mu.Lock()
	for _, tp := range slices.Backward(all) {
		if tp.Deleted {
			continue
		}
		t := Topic{Thread: tp.ID, Name: tp.Name, Closed: tp.Closed}
		if tr := s.topics[tp.ID]; tr != nil {
			t.Last = tr.next
		}
		out = append(out, t)
	}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"chat_id": s.opChat, "operator": Operator.FirstName, "topics": out})
}

// liveTopic reports whether thread is a topic of the operators' group that
// was not deleted.
func (s *Sandbox) liveTopic(thread int) bool {
	if thread <= 0 {
		return false
	}
	for _, tp := range s.emu.Topics(s.opChat) {
		if tp.ID == thread {
			return !tp.Deleted
		}
	}
	return false
}

// operatorTranscript is the long poll of one topic's messages:
// GET /sandbox/api/operators/transcript?thread=N&after=K.
func (s *Sandbox) operatorTranscript(w http.ResponseWriter, r *http.Request) {
	if s.opChat == 0 {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	thread, err1 := strconv.Atoi(q.Get("thread"))
	after, err2 := strconv.ParseInt(q.Get("after"), 10, 64)
	if err1 != nil || (err2 != nil && q.Get("after") != "") || !s.liveTopic(thread) {
		http.Error(w, "bad request: unknown thread", http.StatusBadRequest)
		return
	}
	writeEntries(w, r, func() []Entry { return since(s, s.topics, thread, after) })
}

// operatorRequest is what the page posts as the simulated operator: a text
// (a reply or /take, /close outcome, /note text) into a topic, or the press
// of a button of a message in it.
type operatorRequest struct {
	Thread    int    `json:"thread"`
	Text      string `json:"text"`
	MessageID int    `json:"message_id"`
	Data      string `json:"data"`
}

// operatorSend: POST /sandbox/api/operators/send.
func (s *Sandbox) operatorSend(w http.ResponseWriter, r *http.Request) {
	if s.opChat == 0 {
		http.NotFound(w, r)
		return
	}
	var req operatorRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if !s.liveTopic(req.Thread) {
		http.Error(w, "bad request: unknown thread", http.StatusBadRequest)
		return
	}
	switch {
	case req.Data != "":
		if !s.hasButton(req.Thread, req.MessageID, req.Data) {
			http.Error(w, "bad request: no such button in the topic", http.StatusBadRequest)
			return
		}
		s.emu.PressButton(Operator, s.opChat, req.MessageID, req.Data)
	case strings.TrimSpace(req.Text) != "":
		if utf8.RuneCountInString(req.Text) > maxText {
			http.Error(w, "bad request: message is too long", http.StatusBadRequest)
			return
		}
		// The emulator does not report what people write: keep it here,
		// before the bot can answer it.
		add(s, s.topics, req.Thread, Entry{From: "operator", Name: Operator.FirstName, Text: req.Text})
		s.emu.SendGroupText(Operator, s.opChat, req.Thread, req.Text)
	default:
		http.Error(w, "nothing to send", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// hasButton reports whether the message messageID, in the topic thread,
// carries an inline button with that callback data: in Telegram only a
// button one sees can be pressed.
func (s *Sandbox) hasButton(thread, messageID int, data string) bool {
	msg, ok := s.emu.Message(s.opChat, messageID)
	if !ok || msg.MessageThreadID != thread || msg.ReplyMarkup == nil {
		return false
	}
	for _, row := range msg.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == data {
				return true
			}
		}
	}
	return false
}
