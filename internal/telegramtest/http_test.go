package telegramtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

func TestHTTPEnvelopesExact(t *testing.T) {
	s := newServer(t, Options{})

	status, _, raw := do(t, s.URL()+"/bot1:nope/getMe", "", nil)
	if status != 401 || raw != `{"ok":false,"error_code":401,"description":"Unauthorized"}` {
		t.Fatalf("wrong token: %d %s", status, raw)
	}
	status, _, raw = do(t, s.URL()+"/bot"+s.Token()+"/noSuchMethod", "", nil)
	if status != 404 || raw != `{"ok":false,"error_code":404,"description":"Not Found: method not found"}` {
		t.Fatalf("unknown method: %d %s", status, raw)
	}
	if s.Calls("noSuchMethod") != 1 {
		t.Fatal("unknown method not counted")
	}
	status, _, raw = postJSON(t, s, "sendMessage", map[string]any{"chat_id": 5, "text": "x"})
	if status != 400 || raw != `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}` {
		t.Fatalf("bad request: %d %s", status, raw)
	}
	status, _, raw = postJSON(t, s, "deleteWebhook", nil)
	if status != 200 || raw != `{"ok":true,"result":true}` {
		t.Fatalf("ok answer: %d %s", status, raw)
	}
}

func TestHTTPJSONBody(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(alice)
	status, env, raw := postJSON(t, s, "sendMessage", map[string]any{
		"chat_id":    alice.ID,
		"text":       "<b>Ciao</b> &amp; benvenuta",
		"parse_mode": "HTML",
		// Nested objects as objects (JSON clients) …
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "Sì", "callback_data": "yes"}}}},
		// … or as JSON text (what some clients do): both work.
		"link_preview_options": `{"is_disabled":true}`,
	})
	if status != 200 || !env.OK {
		t.Fatalf("sendMessage JSON: %d %s", status, raw)
	}
	var m models.Message
	if err := json.Unmarshal(env.Result, &m); err != nil {
		t.Fatal(err)
	}
	if m.Text != "Ciao & benvenuta" || len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBold || m.Entities[0].Length != 4 {
		t.Fatalf("HTML not rendered: %+v", m)
	}
	if m.LinkPreviewOptions == nil || m.LinkPreviewOptions.IsDisabled == nil || !*m.LinkPreviewOptions.IsDisabled {
		t.Fatalf("link_preview_options = %+v", m.LinkPreviewOptions)
	}
	e := s.Sent(alice.ID)[0]
	if e.Text != "<b>Ciao</b> &amp; benvenuta" || e.ParseMode != "HTML" || e.Buttons[0][0].Data != "yes" {
		t.Fatalf("Sent = %+v", e)
	}
}

func TestHTTPURLEncodedAndQuery(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(alice)
	form := url.Values{
		"chat_id":      {"1001"},
		"latitude":     {"41.9028"},
		"longitude":    {"12.4964"},
		"title":        {"Sportello"},
		"address":      {"Via Roma 1"},
		"reply_markup": {`{"remove_keyboard":true}`},
	}
	status, env, raw := do(t, s.URL()+"/bot"+s.Token()+"/sendVenue", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if status != 200 || !env.OK {
		t.Fatalf("sendVenue urlencoded: %d %s", status, raw)
	}
	e := s.Sent(alice.ID)[0]
	if e.Method != "sendVenue" || e.Title != "Sportello" || e.Address != "Via Roma 1" || e.Latitude != 41.9028 || e.Longitude != 12.4964 || !e.RemoveKeyboard {
		t.Fatalf("Sent = %+v", e)
	}

	// Query-string parameters, GET, method name in another case.
	q := url.Values{"chat_id": {"1001"}, "text": {"dal query string"}}
	resp, err := http.Get(s.URL() + "/bot" + s.Token() + "/SENDMESSAGE?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET with query: %d", resp.StatusCode)
	}
	sent := s.Sent(alice.ID)
	if len(sent) != 2 || sent[1].Text != "dal query string" || sent[1].Method != "sendMessage" || s.Calls("sendMessage") != 1 {
		t.Fatalf("Sent = %+v", sent)
	}
}

func TestHTTPMediaLocationContactFile(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(alice)
	for _, c := range []struct {
		method string
		params map[string]any
	}{
		{"sendPhoto", map[string]any{"chat_id": alice.ID, "photo": "photo-id", "caption": "foto"}},
		{"sendDocument", map[string]any{"chat_id": alice.ID, "document": "doc-id"}},
		{"sendLocation", map[string]any{"chat_id": alice.ID, "latitude": 45.1, "longitude": 9.2}},
		{"sendContact", map[string]any{"chat_id": alice.ID, "phone_number": "+39 06 123", "first_name": "Sportello"}},
	} {
		if status, _, raw := postJSON(t, s, c.method, c.params); status != 200 {
			t.Fatalf("%s: %d %s", c.method, status, raw)
		}
	}
	sent := s.Sent(alice.ID)
	if sent[0].FileID != "photo-id" || sent[0].Text != "foto" || sent[1].FileID != "doc-id" ||
		sent[2].Latitude != 45.1 || sent[2].Longitude != 9.2 || sent[3].PhoneNumber != "+39 06 123" {
		t.Fatalf("Sent = %+v", sent)
	}
	if status, _, raw := postJSON(t, s, "sendPhoto", map[string]any{"chat_id": alice.ID}); status != 400 || !strings.Contains(raw, "there is no photo") {
		t.Fatalf("photo missing: %d %s", status, raw)
	}
	if status, _, raw := postJSON(t, s, "sendLocation", map[string]any{"chat_id": alice.ID, "latitude": 95, "longitude": 9}); status != 400 {
		t.Fatalf("bad latitude: %d %s", status, raw)
	}

	status, env, raw := postJSON(t, s, "getFile", map[string]any{"file_id": "photo-id"})
	if status != 200 {
		t.Fatalf("getFile: %d %s", status, raw)
	}
	var f models.File
	_ = json.Unmarshal(env.Result, &f)
	if f.FileID != "photo-id" || f.FilePath == "" || f.FileUniqueID == "" {
		t.Fatalf("file = %+v", f)
	}
	s.SetFileContent("photo-id", []byte("JPEG"))
	resp, err := http.Get(s.URL() + "/file/bot" + s.Token() + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 16)
	n, _ := resp.Body.Read(buf)
	if resp.StatusCode != 200 || string(buf[:n]) != "JPEG" {
		t.Fatalf("download: %d %q", resp.StatusCode, buf[:n])
	}
}

func TestHTTPGetChatAndMember(t *testing.T) {
	s := newServer(t, Options{})
	s.CreateForumGroup(opsGroup, "Operatori")
	s.AddMember(opsGroup, bob, true)
	s.AddMember(opsGroup, alice, false)
	s.AddUser(alice)

	status, env, raw := postJSON(t, s, "getChat", map[string]any{"chat_id": opsGroup})
	var chat models.ChatFullInfo
	_ = json.Unmarshal(env.Result, &chat)
	if status != 200 || chat.Type != models.ChatTypeSupergroup || !chat.IsForum || chat.Title != "Operatori" {
		t.Fatalf("getChat: %d %s", status, raw)
	}
	status, env, raw = postJSON(t, s, "getChat", map[string]any{"chat_id": alice.ID})
	_ = json.Unmarshal(env.Result, &chat)
	if status != 200 || chat.Type != models.ChatTypePrivate || chat.FirstName != "Alice" {
		t.Fatalf("getChat private: %d %s", status, raw)
	}

	status_ := func(user int64) models.ChatMemberType {
		t.Helper()
		code, env, raw := postJSON(t, s, "getChatMember", map[string]any{"chat_id": opsGroup, "user_id": user})
		if code != 200 {
			t.Fatalf("getChatMember: %d %s", code, raw)
		}
		var cm models.ChatMember
		if err := json.Unmarshal(env.Result, &cm); err != nil {
			t.Fatalf("getChatMember result %s: %v", env.Result, err)
		}
		return cm.Type
	}
	if got := status_(bob.ID); got != models.ChatMemberTypeAdministrator {
		t.Fatalf("bob = %s", got)
	}
	if got := status_(alice.ID); got != models.ChatMemberTypeMember {
		t.Fatalf("alice = %s", got)
	}
	if got := status_(777); got != models.ChatMemberTypeLeft {
		t.Fatalf("stranger = %s", got)
	}
	if got := status_(s.BotID()); got != models.ChatMemberTypeAdministrator {
		t.Fatalf("bot = %s", got)
	}
}

func TestHTTPForwardChatActionAllowedUpdates(t *testing.T) {
	s := newServer(t, Options{})
	s.CreateForumGroup(opsGroup, "Operatori")
	s.SendMessageUpdate(alice, 0, 0, models.Message{Photo: []models.PhotoSize{{FileID: "ph-1", Width: 10, Height: 10}}, Caption: "doc"})

	st, env, raw := postJSON(t, s, "forwardMessage", map[string]any{"chat_id": opsGroup, "from_chat_id": alice.ID, "message_id": 1})
	if st != 200 {
		t.Fatalf("forwardMessage: %s", raw)
	}
	var fwd models.Message
	if err := json.Unmarshal(env.Result, &fwd); err != nil {
		t.Fatal(err)
	}
	if fwd.ForwardOrigin == nil || fwd.ForwardOrigin.MessageOriginUser == nil || fwd.ForwardOrigin.MessageOriginUser.SenderUser.ID != alice.ID ||
		len(fwd.Photo) != 1 || fwd.Caption != "doc" {
		t.Fatalf("forward = %+v", fwd)
	}
	if e := s.Sent(opsGroup)[0]; e.Method != "forwardMessage" || e.FileID != "ph-1" || e.CopyOfChatID != alice.ID || e.CopyOfMessageID != 1 {
		t.Fatalf("Sent = %+v", e)
	}

	if st, _, raw := postJSON(t, s, "sendChatAction", map[string]any{"chat_id": alice.ID, "action": "typing"}); st != 200 {
		t.Fatalf("sendChatAction: %s", raw)
	}
	if st, _, _ := postJSON(t, s, "sendChatAction", map[string]any{"chat_id": alice.ID, "action": "dancing"}); st != 400 {
		t.Fatalf("unknown action accepted: %d", st)
	}
	if a := s.ChatActions(alice.ID); len(a) != 1 || a[0] != "typing" || len(s.Sent(alice.ID)) != 0 {
		t.Fatalf("ChatActions = %v", a)
	}

	// allowed_updates drops the kinds the bot did not ask for.
	s.PressButton(alice, 0, 1, "x")
	s.SendText(alice, "testo")
	st, env, raw = postJSON(t, s, "getUpdates", map[string]any{"allowed_updates": []string{"message"}})
	if st != 200 {
		t.Fatal(raw)
	}
	var ups []models.Update
	_ = json.Unmarshal(env.Result, &ups)
	if len(ups) != 2 || ups[0].Message == nil || ups[1].Message == nil || ups[1].Message.Text != "testo" {
		t.Fatalf("filtered updates = %s", env.Result)
	}
}
