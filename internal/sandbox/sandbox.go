// Package sandbox is the web page that stands in for Telegram when Presidio
// runs without a bot token: a coordinator chats with the bot as a migrant
// would (buttons rendered and clickable, the Telegram language chosen from a
// list) to try the content, like RapidPro's simulator. Next to it, the
// operators' forum group: the case topics the bot opens when a person asks
// for a counsellor, where the coordinator answers as a simulated operator
// (see operators.go). Under it runs the Bot API emulator of
// internal/telegramtest, so the bot's real code path is used.
package sandbox

import (
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prils-lazio/presidio/internal/telegramtest"
	"github.com/prils-lazio/presidio/locales"
)

//go:embed page.html
var pageFS embed.FS

var page = template.Must(template.ParseFS(pageFS, "page.html"))

// maxEntries bounds each chat's transcript kept in memory.
const maxEntries = 500

// Sandbox serves the page and its small JSON API.
type Sandbox struct {
	emu   *telegramtest.Server
	texts *locales.Catalog
	mux   *http.ServeMux

	// opChat is the operators' forum group (0: no operators' panel).
	opChat int64

	mu     sync.Mutex
	chats  map[int64]*transcript // private chats, by chat id
	topics map[int]*transcript   // the operators' group, by topic id
}

type transcript struct {
	next    int64
	entries []Entry
}

// Entry is one line of a sandbox chat, as the page shows it.
type Entry struct {
	N int64 `json:"n"`
	// From is "user" (the simulated person) or "bot" in a private chat;
	// "person" (the person's message copied by the bot), "bot" (the card,
	// notices) or "operator" in a case topic.
	From      string                  `json:"from"`
	Name      string                  `json:"name,omitempty"` // the operator's name
	MessageID int                     `json:"message_id,omitempty"`
	Text      string                  `json:"text,omitempty"`
	Media     string                  `json:"media,omitempty"` // "photo", "voice"… for a file
	FileID    string                  `json:"file_id,omitempty"`
	Buttons   [][]telegramtest.Button `json:"buttons,omitempty"`
	Keyboard  bool                    `json:"keyboard,omitempty"`
	Remove    bool                    `json:"remove_keyboard,omitempty"`
	Edited    bool                    `json:"edited,omitempty"`
	Venue     string                  `json:"venue,omitempty"`
	Map       string                  `json:"map,omitempty"`
}

// New returns the sandbox handler for an emulator. operatorChat is the
// operators' forum group registered in the emulator (negative); the
// simulated operator (Operator) becomes one of its members. With 0 the page
// shows no operators' panel and the operators' API answers 404.
func New(emu *telegramtest.Server, texts *locales.Catalog, operatorChat int64) *Sandbox {
	s := &Sandbox{emu: emu, texts: texts, mux: http.NewServeMux(), chats: map[int64]*transcript{}, topics: map[int]*transcript{}}
	if operatorChat < 0 {
		s.opChat = operatorChat
		emu.AddMember(operatorChat, Operator, false)
	}
	emu.OnSent(s.botSent)
	s.mux.HandleFunc("GET /{$}", s.index)
	s.mux.HandleFunc("POST /sandbox/api/send", jsonFromPage(s.send))
	s.mux.HandleFunc("GET /sandbox/api/transcript", s.transcript)
	s.mux.HandleFunc("GET /sandbox/api/operators/topics", s.operatorTopics)
	s.mux.HandleFunc("GET /sandbox/api/operators/transcript", s.operatorTranscript)
	s.mux.HandleFunc("POST /sandbox/api/operators/send", jsonFromPage(s.operatorSend))
	return s
}

func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Sandbox) index(w http.ResponseWriter, r *http.Request) {
	lang := s.texts.Resolve(r.URL.Query().Get("ui"))
	t := func(id string) string { return s.texts.Text(lang, id, nil) }
	data := map[string]any{
		"Lang": lang, "RTL": s.texts.IsRTL(lang), "Languages": s.texts.Languages(),
		"Title": t("sandbox.title"), "Intro": t("sandbox.intro"), "Name": t("sandbox.name"),
		"TelegramLanguage": t("sandbox.telegram_language"), "Other": t("sandbox.unsupported_language"),
		"Placeholder": t("sandbox.placeholder"), "Send": t("sandbox.send"), "NewChat": t("sandbox.new_chat"),
		"SampleLocation": t("sandbox.sample_location"), "PersonChat": t("sandbox.person_chat"),
	}
	if s.opChat != 0 {
		data["Operators"], data["OperatorsIntro"] = t("sandbox.operators"), t("sandbox.operators_intro")
		data["NoCases"], data["OperatorPlaceholder"] = t("sandbox.no_cases"), t("sandbox.operator_placeholder")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := page.Execute(w, data); err != nil {
		http.Error(w, "page error", http.StatusInternalServerError)
	}
}

// sendRequest is what the page posts: a text, a button press, a shared
// contact or a shared location, from a simulated Telegram user.
type sendRequest struct {
	UserID    int64       `json:"user_id"`
	Name      string      `json:"name"`
	Lang      string      `json:"lang"`
	Text      string      `json:"text"`
	Data      string      `json:"data"`
	MessageID int         `json:"message_id"`
	Contact   string      `json:"contact"`
	Location  *[2]float64 `json:"location"`
}

func (s *Sandbox) send(w http.ResponseWriter, r *http.Request) {
	var req sendRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || req.UserID <= 0 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	u := telegramtest.User{ID: req.UserID, FirstName: req.Name, LanguageCode: req.Lang}
	switch {
	case req.Data != "":
		s.emu.PressButton(u, req.UserID, req.MessageID, req.Data)
	case req.Contact != "":
		s.record(req.UserID, Entry{From: "user", Text: "📞 " + req.Contact})
		s.emu.SendContact(u, req.Contact)
	case req.Location != nil:
		s.record(req.UserID, Entry{From: "user", Text: "📍"})
		s.emu.SendLocation(u, req.Location[0], req.Location[1])
	case req.Text != "":
		s.record(req.UserID, Entry{From: "user", Text: req.Text})
		s.emu.SendText(u, req.Text)
	default:
		http.Error(w, "nothing to send", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) transcript(w http.ResponseWriter, r *http.Request) {
	chatID, err1 := strconv.ParseInt(r.URL.Query().Get("user_id"), 10, 64)
	after, err2 := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if err1 != nil || (err2 != nil && r.URL.Query().Get("after") != "") {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	writeEntries(w, r, func() []Entry { return since(s, s.chats, chatID, after) })
}

// pollWait is how long a transcript request waits for news, so the page
// feels live without hammering.
var pollWait = 20 * time.Second

// writeEntries answers {"entries": […]} as soon as get returns something,
// or empty after pollWait.
func writeEntries(w http.ResponseWriter, r *http.Request, get func() []Entry) {
	deadline := time.Now().Add(pollWait)
	var out []Entry
	for {
		out = get()
		if len(out) > 0 || time.Now().After(deadline) || r.Context().Err() != nil {
			break
		}
		time.Sleep(150 * time.Millisecond)
	}
	writeJSON(w, map[string]any{"entries": out})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// since returns the entries of one transcript numbered above after (never
// nil).
func since[K comparable](s *Sandbox, m map[K]*transcript, key K, after int64) []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Entry{}
	if t := m[key]; t != nil {
		for _, e := range t.entries {
			if e.N > after {
				out = append(out, e)
			}
		}
	}
	return out
}

// add appends an entry to one transcript, numbering it.
func add[K comparable](s *Sandbox, m map[K]*transcript, key K, e Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := m[key]
	if t == nil {
		t = &transcript{}
		m[key] = t
	}
	t.next++
	e.N = t.next
	t.entries = append(t.entries, e)
	if len(t.entries) > maxEntries {
		t.entries = t.entries[len(t.entries)-maxEntries:]
	}
}

func (s *Sandbox) record(chatID int64, e Entry) { add(s, s.chats, chatID, e) }

// botSent mirrors what the bot delivered into the chat's transcript, or
// into the case topic's for the operators' group.
func (s *Sandbox) botSent(m telegramtest.Sent) {
	switch {
	case s.opChat != 0 && m.ChatID == s.opChat:
		if m.ThreadID == 0 {
			return // the General topic is not a case
		}
		e := s.entryOf(m)
		if m.CopyOfChatID > 0 { // the person's message, copied from their chat
			e.From = "person"
		}
		add(s, s.topics, m.ThreadID, e)
	case m.ChatID > 0:
		s.record(m.ChatID, s.entryOf(m))
	}
}

// entryOf turns a delivery into a bot entry: text or caption, buttons, a
// file as its kind and id, a map link for locations, a phone number.
func (s *Sandbox) entryOf(m telegramtest.Sent) Entry {
	e := Entry{From: "bot", MessageID: m.MessageID, Text: m.Text, Buttons: m.Buttons,
		Keyboard: m.ReplyKeyboard, Remove: m.RemoveKeyboard, Edited: m.Edited}
	e.Media, e.FileID = mediaOf(s.emu, m)
	if m.PhoneNumber != "" && e.Text == "" {
		e.Text = "📞 " + m.PhoneNumber
	}
	if m.Latitude != 0 || m.Longitude != 0 {
		e.Map = "https://www.openstreetmap.org/?mlat=" + strconv.FormatFloat(m.Latitude, 'f', 5, 64) +
			"&mlon=" + strconv.FormatFloat(m.Longitude, 'f', 5, 64)
		e.Venue = m.Title
		if m.Address != "" {
			e.Venue += " — " + m.Address
		}
	}
	return e
}

// mediaOf names the file a message carries ("photo", "voice"…) and its id,
// from the message as the emulator stores it (so edits of a caption keep
// it), else from the delivery.
func mediaOf(emu *telegramtest.Server, m telegramtest.Sent) (kind, fileID string) {
	if msg, ok := emu.Message(m.ChatID, m.MessageID); ok {
		switch {
		case len(msg.Photo) > 0:
			return "photo", msg.Photo[len(msg.Photo)-1].FileID
		case msg.Animation != nil:
			return "animation", msg.Animation.FileID
		case msg.Voice != nil:
			return "voice", msg.Voice.FileID
		case msg.Video != nil:
			return "video", msg.Video.FileID
		case msg.VideoNote != nil:
			return "video_note", msg.VideoNote.FileID
		case msg.Audio != nil:
			return "audio", msg.Audio.FileID
		case msg.Sticker != nil:
			return "sticker", msg.Sticker.FileID
		case msg.Document != nil:
			return "document", msg.Document.FileID
		}
	}
	if m.FileID == "" {
		return "", ""
	}
	if kind, ok := strings.CutPrefix(m.Method, "send"); ok && kind != "Message" {
		return strings.ToLower(kind), m.FileID // sendPhoto → photo
	}
	return "file", m.FileID
}
