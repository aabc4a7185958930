package telegramtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

func getUpdatesJSON(t *testing.T, s *Server, params map[string]any) []models.Update {
	t.Helper()
	status, env, raw := postJSON(t, s, "getUpdates", params)
	if status != 200 {
		t.Fatalf("getUpdates: %d %s", status, raw)
	}
	var ups []models.Update
	if err := json.Unmarshal(env.Result, &ups); err != nil {
		t.Fatalf("getUpdates result %s: %v", env.Result, err)
	}
	return ups
}

func TestUpdatesOffsetAndLimit(t *testing.T) {
	s := newServer(t, Options{FirstUpdateID: 500})
	for _, txt := range []string{"/start site_3", "uno", "due", "tre"} {
		s.SendText(alice, txt)
	}
	ups := getUpdatesJSON(t, s, map[string]any{"limit": 2})
	if len(ups) != 2 || ups[0].ID != 500 || ups[1].ID != 501 {
		t.Fatalf("first batch = %+v", ups)
	}
	m := ups[0].Message
	if m == nil || m.ID != 1 || m.Chat.ID != alice.ID || m.From.ID != alice.ID || m.Date == 0 ||
		len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBotCommand || m.Entities[0].Length != 6 {
		t.Fatalf("command message = %+v", m)
	}
	if ups[1].Message.Entities != nil {
		t.Fatal("plain text got entities")
	}
	// Without offset nothing is confirmed.
	if again := getUpdatesJSON(t, s, nil); len(again) != 4 || s.PendingUpdates() != 4 {
		t.Fatalf("unconfirmed updates: got %d, pending %d", len(again), s.PendingUpdates())
	}
	// offset confirms everything below it.
	ups = getUpdatesJSON(t, s, map[string]any{"offset": 502})
	if len(ups) != 2 || ups[0].ID != 502 || ups[0].Message.Text != "due" || s.PendingUpdates() != 2 {
		t.Fatalf("after offset 502: %+v, pending %d", ups, s.PendingUpdates())
	}
	ups = getUpdatesJSON(t, s, map[string]any{"offset": 504})
	if len(ups) != 0 || s.PendingUpdates() != 0 {
		t.Fatalf("after offset 504: %+v, pending %d", ups, s.PendingUpdates())
	}
	if s.LastUpdateID() != 503 {
		t.Fatalf("LastUpdateID = %d", s.LastUpdateID())
	}
}

func TestUpdatesLongPoll(t *testing.T) {
	s := newServer(t, Options{})

	// An update arriving during the poll ends it early.
	go func() {
		time.Sleep(100 * time.Millisecond)
		s.SendText(alice, "eccomi")
	}()
	start := time.Now()
	ups := getUpdatesJSON(t, s, map[string]any{"timeout": 10})
	if el := time.Since(start); el > 3*time.Second || el < 80*time.Millisecond {
		t.Fatalf("long poll took %v", el)
	}
	if len(ups) != 1 || ups[0].Message.Text != "eccomi" {
		t.Fatalf("long poll = %+v", ups)
	}

	// Nothing arrives: [] after the timeout.
	start = time.Now()
	status, env, _ := postJSON(t, s, "getUpdates", map[string]any{"offset": ups[0].ID + 1, "timeout": 1})
	if el := time.Since(start); status != 200 || string(env.Result) != "[]" || el < 900*time.Millisecond || el > 3*time.Second {
		t.Fatalf("empty poll: %d %s after %v", status, env.Result, el)
	}
}

func TestUpdatesNewPollEndsOlder(t *testing.T) {
	s := newServer(t, Options{})
	done := make(chan int, 1)
	go func() {
		// No t.Fatal off the test goroutine: report the status only.
		resp, err := http.Post(s.URL()+"/bot"+s.Token()+"/getUpdates", "application/json", strings.NewReader(`{"timeout":10}`))
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	deadline := time.Now().Add(2 * time.Second)
	for s.Calls("getUpdates") == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	getUpdatesJSON(t, s, nil)
	select {
	case st := <-done:
		if st != 409 {
			t.Fatalf("older poll answered %d, want 409", st)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("older poll not terminated")
	}
}

func TestUpdatesCallbackAndInject(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(alice)
	status, env, raw := postJSON(t, s, "sendMessage", map[string]any{
		"chat_id": alice.ID, "text": "Scegli",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "Sì", "callback_data": "yes"}}}},
	})
	if status != 200 {
		t.Fatal(raw)
	}
	var sent models.Message
	_ = json.Unmarshal(env.Result, &sent)

	if _, err := s.ClickButton(alice, 0, sent.ID, "No"); err == nil {
		t.Fatal("ClickButton found a button that does not exist")
	}
	id, err := s.ClickButton(alice, 0, sent.ID, "Sì")
	if err != nil {
		t.Fatal(err)
	}
	injected := s.Inject(models.Update{EditedMessage: &models.Message{ID: 1, Text: "modificato", Chat: models.Chat{ID: alice.ID}}})
	if injected != id+1 {
		t.Fatalf("Inject id = %d, want %d", injected, id+1)
	}
	rawID, err := s.InjectRaw([]byte(`{"poll":{"id":"p1","question":"?","options":[],"total_voter_count":0,"is_closed":false,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}}`))
	if err != nil || rawID != id+2 {
		t.Fatalf("InjectRaw = %d, %v", rawID, err)
	}

	ups := getUpdatesJSON(t, s, nil)
	if len(ups) != 3 {
		t.Fatalf("updates = %d", len(ups))
	}
	q := ups[0].CallbackQuery
	if q == nil || q.Data != "yes" || q.From.ID != alice.ID || q.ID == "" || q.Message.Message == nil ||
		q.Message.Message.ID != sent.ID || q.Message.Message.Text != "Scegli" {
		t.Fatalf("callback = %+v", q)
	}
	if ups[1].EditedMessage == nil || ups[1].EditedMessage.Text != "modificato" || ups[2].Poll == nil {
		t.Fatalf("injected = %+v / %+v", ups[1], ups[2])
	}

	answer := func() int {
		st, _, _ := postJSON(t, s, "answerCallbackQuery", map[string]any{"callback_query_id": q.ID, "text": "Fatto", "show_alert": true})
		return st
	}
	if st := answer(); st != 200 {
		t.Fatalf("answer: %d", st)
	}
	if st := answer(); st != 400 {
		t.Fatalf("second answer: %d, want 400", st)
	}
	if a := s.CallbackAnswers(); len(a) != 1 || a[0].QueryID != q.ID || a[0].Text != "Fatto" || !a[0].ShowAlert {
		t.Fatalf("CallbackAnswers = %+v", a)
	}
}

func TestUpdatesGroupTextAndBlockUpdate(t *testing.T) {
	s := newServer(t, Options{})
	s.CreateForumGroup(opsGroup, "Operatori")
	status, env, raw := postJSON(t, s, "createForumTopic", map[string]any{"chat_id": opsGroup, "name": "Alice"})
	if status != 200 {
		t.Fatal(raw)
	}
	var topic models.ForumTopic
	_ = json.Unmarshal(env.Result, &topic)

	s.SendGroupText(bob, opsGroup, topic.MessageThreadID, "/chiudi@presidio_test_bot subito")
	s.SendGroupText(bob, opsGroup, 0, "in General")
	s.UserBlocksBot(alice)

	ups := getUpdatesJSON(t, s, nil)
	if len(ups) != 3 {
		t.Fatalf("updates = %d", len(ups))
	}
	m := ups[0].Message
	if m.Chat.ID != opsGroup || m.Chat.Type != models.ChatTypeSupergroup || !m.Chat.IsForum || !m.IsTopicMessage ||
		m.MessageThreadID != topic.MessageThreadID || m.Entities[0].Length != len("/chiudi@presidio_test_bot") ||
		m.ReplyToMessage == nil || m.ReplyToMessage.ForumTopicCreated == nil {
		t.Fatalf("topic message = %+v", m)
	}
	if g := ups[1].Message; g.IsTopicMessage || g.MessageThreadID != 0 {
		t.Fatalf("General message = %+v", g)
	}
	cm := ups[2].MyChatMember
	if cm == nil || cm.Chat.ID != alice.ID || cm.NewChatMember.Type != models.ChatMemberTypeBanned || cm.OldChatMember.Type != models.ChatMemberTypeMember {
		t.Fatalf("my_chat_member = %+v", cm)
	}
	if st, _, _ := postJSON(t, s, "sendMessage", map[string]any{"chat_id": alice.ID, "text": "x"}); st != 403 {
		t.Fatalf("send after UserBlocksBot: %d", st)
	}
}

func TestUpdatesMessageIDsPerChat(t *testing.T) {
	s := newServer(t, Options{})
	s.SendText(alice, "a")                                                          // alice 1
	postJSON(t, s, "sendMessage", map[string]any{"chat_id": alice.ID, "text": "b"}) // alice 2
	s.SendText(bob, "c")                                                            // bob 1
	s.SendText(alice, "d")                                                          // alice 3
	postJSON(t, s, "sendMessage", map[string]any{"chat_id": alice.ID, "text": "e"}) // alice 4
	if sent := s.Sent(alice.ID); len(sent) != 2 || sent[0].MessageID != 2 || sent[1].MessageID != 4 {
		t.Fatalf("bot message ids = %+v", sent)
	}
	ups := getUpdatesJSON(t, s, nil)
	if ups[1].Message.ID != 1 || ups[2].Message.ID != 3 {
		t.Fatalf("user message ids: bob %d, alice %d", ups[1].Message.ID, ups[2].Message.ID)
	}
}

func TestEditAndDelete(t *testing.T) {
	s := newServer(t, Options{})
	s.SendText(alice, "ciao") // 1
	_, env, _ := postJSON(t, s, "sendMessage", map[string]any{
		"chat_id": alice.ID, "text": "Scegli",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "A", "callback_data": "a"}}}},
	})
	var m models.Message
	_ = json.Unmarshal(env.Result, &m)

	edit := func(params map[string]any) (int, string) {
		st, _, raw := postJSON(t, s, "editMessageText", params)
		return st, raw
	}
	if st, raw := edit(map[string]any{"chat_id": alice.ID, "message_id": m.ID, "text": "Scegli",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "A", "callback_data": "a"}}}}}); st != 400 ||
		!strings.Contains(raw, "message is not modified") {
		t.Fatalf("no-op edit: %d %s", st, raw)
	}
	if st, raw := edit(map[string]any{"chat_id": alice.ID, "message_id": 1, "text": "x"}); st != 400 || !strings.Contains(raw, "message can't be edited") {
		t.Fatalf("edit of the user's message: %d %s", st, raw)
	}
	// Same text without reply_markup removes the keyboard: a real change.
	if st, raw := edit(map[string]any{"chat_id": alice.ID, "message_id": m.ID, "text": "Scelto: A"}); st != 200 {
		t.Fatalf("edit: %d %s", st, raw)
	}
	cur, _ := s.Message(alice.ID, m.ID)
	if cur.Text != "Scelto: A" || cur.ReplyMarkup != nil || cur.EditDate == 0 {
		t.Fatalf("edited message = %+v", cur)
	}
	if st, _, raw := postJSON(t, s, "editMessageReplyMarkup", map[string]any{"chat_id": alice.ID, "message_id": m.ID,
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "B", "callback_data": "b"}}}}}); st != 200 {
		t.Fatalf("editMessageReplyMarkup: %d %s", st, raw)
	}
	sent := s.Sent(alice.ID)
	if len(sent) != 3 || !sent[1].Edited || sent[1].Text != "Scelto: A" || sent[1].MessageID != m.ID ||
		!sent[2].Edited || sent[2].Text != "Scelto: A" || sent[2].Buttons[0][0].Data != "b" {
		t.Fatalf("Sent = %+v", sent)
	}
	if st, _, _ := postJSON(t, s, "deleteMessage", map[string]any{"chat_id": alice.ID, "message_id": m.ID}); st != 200 {
		t.Fatal("delete")
	}
	if st, _, raw := postJSON(t, s, "deleteMessage", map[string]any{"chat_id": alice.ID, "message_id": m.ID}); st != 400 || !strings.Contains(raw, "message to delete not found") {
		t.Fatalf("second delete: %d %s", st, raw)
	}
	if st, raw := edit(map[string]any{"chat_id": alice.ID, "message_id": m.ID, "text": "zzz"}); st != 400 || !strings.Contains(raw, "message to edit not found") {
		t.Fatalf("edit of a deleted message: %d %s", st, raw)
	}
	if d := s.Deleted(alice.ID); len(d) != 1 || d[0] != m.ID {
		t.Fatalf("Deleted = %v", d)
	}
}

func TestInjectMakesChatsKnown(t *testing.T) {
	s := newServer(t, Options{})
	chat := models.Chat{ID: 77, Type: models.ChatTypePrivate, FirstName: "Ali"}
	s.Inject(models.Update{Message: &models.Message{ID: 5, Date: 1, Chat: chat, From: &models.User{ID: 77, FirstName: "Ali"}, Text: "ciao"}})
	if _, err := s.InjectRaw([]byte(`{"message":{"message_id":9,"date":1,"chat":{"id":-100300,"type":"supergroup","title":"G"},"text":"x","future_field":1}}`)); err != nil {
		t.Fatal(err)
	}
	// The bot can answer both chats, and new ids continue after the injected ones.
	st, env, raw := postJSON(t, s, "sendMessage", map[string]any{"chat_id": 77, "text": "risposta", "reply_parameters": map[string]any{"message_id": 5}})
	if st != 200 {
		t.Fatalf("answer to an injected chat: %s", raw)
	}
	var m models.Message
	_ = json.Unmarshal(env.Result, &m)
	if m.ID != 6 || m.ReplyToMessage == nil || m.ReplyToMessage.Text != "ciao" {
		t.Fatalf("answer = %+v", m)
	}
	if st, _, raw := postJSON(t, s, "sendMessage", map[string]any{"chat_id": -100300, "text": "ok"}); st != 200 || !strings.Contains(raw, `"message_id":10`) {
		t.Fatalf("answer to an injected group: %s", raw)
	}
	if st, _, _ := postJSON(t, s, "sendMessage", map[string]any{"chat_id": 78, "text": "x"}); st != 400 {
		t.Fatal("a chat no update mentioned is known")
	}
}
