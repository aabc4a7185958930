// Package sandbox is the web page that stands in for Telegram when Presidio
// runs without a bot token: a coordinator chats with the bot as a migrant
// would (buttons rendered and clickable, the Telegram language chosen from a
// list) to try the content, like RapidPro's simulator. Under it runs the Bot
// API emulator of internal/telegramtest, so the bot's real code path is used.
package sandbox

import (
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
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

	mu    sync.Mutex
	chats map[int64]*transcript
}

type transcript struct {
	next    int64
	entries []Entry
}

// Entry is one line of a sandbox chat, as the page shows it.
type Entry struct {
	N         int64                   `json:"n"`
	From      string                  `json:"from"` // "user" or "bot"
	MessageID int                     `json:"message_id,omitempty"`
	Text      string                  `json:"text,omitempty"`
	Buttons   [][]telegramtest.Button `json:"buttons,omitempty"`
	Keyboard  bool                    `json:"keyboard,omitempty"`
	Remove    bool                    `json:"remove_keyboard,omitempty"`
	Edited    bool                    `json:"edited,omitempty"`
	Venue     string                  `json:"venue,omitempty"`
	Map       string                  `json:"map,omitempty"`
}

// New returns the sandbox handler for an emulator.
func New(emu *telegramtest.Server, texts *locales.Catalog) *Sandbox {
	s := &Sandbox{emu: emu, texts: texts, mux: http.NewServeMux(), chats: map[int64]*transcript{}}
	emu.OnSent(s.botSent)
	s.mux.HandleFunc("GET /{$}", s.index)
	s.mux.HandleFunc("POST /sandbox/api/send", s.send)
	s.mux.HandleFunc("GET /sandbox/api/transcript", s.transcript)
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
		"SampleLocation": t("sandbox.sample_location"),
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
	// Wait a little for news, so the page feels live without hammering.
	deadline := time.Now().Add(20 * time.Second)
	var out []Entry
	for {
		out = s.since(chatID, after)
		if len(out) > 0 || time.Now().After(deadline) || r.Context().Err() != nil {
			break
		}
		time.Sleep(150 * time.Millisecond)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"entries": out})
}

func (s *Sandbox) since(chatID, after int64) []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.chats[chatID]
	if t == nil {
		return []Entry{}
	}
	out := []Entry{}
	for _, e := range t.entries {
		if e.N > after {
			out = append(out, e)
		}
	}
	return out
}

func (s *Sandbox) record(chatID int64, e Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.chats[chatID]
	if t == nil {
		t = &transcript{}
		s.chats[chatID] = t
	}
	t.next++
	e.N = t.next
	t.entries = append(t.entries, e)
	if len(t.entries) > maxEntries {
		t.entries = t.entries[len(t.entries)-maxEntries:]
	}
}

// botSent mirrors what the bot delivered into the chat's transcript.
func (s *Sandbox) botSent(m telegramtest.Sent) {
	if m.ChatID <= 0 {
		return
	}
	e := Entry{From: "bot", MessageID: m.MessageID, Text: m.Text, Buttons: m.Buttons,
		Keyboard: m.ReplyKeyboard, Remove: m.RemoveKeyboard, Edited: m.Edited}
	if m.Latitude != 0 || m.Longitude != 0 {
		e.Map = "https://www.openstreetmap.org/?mlat=" + strconv.FormatFloat(m.Latitude, 'f', 5, 64) +
			"&mlon=" + strconv.FormatFloat(m.Longitude, 'f', 5, 64)
		e.Venue = m.Title
		if m.Address != "" {
			e.Venue += " — " + m.Address
		}
	}
	s.record(m.ChatID, e)
}
