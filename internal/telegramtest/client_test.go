package telegramtest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestClientGetMeOnNew(t *testing.T) {
	s := newServer(t, Options{})
	b, err := bot.New(s.Token(), bot.WithServerURL(s.URL())) // calls getMe
	if err != nil {
		t.Fatalf("bot.New with getMe: %v", err)
	}
	me, err := b.GetMe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != 123456 || !me.IsBot || me.Username != "presidio_test_bot" {
		t.Fatalf("getMe = %+v", me)
	}
	if got := s.Calls("getMe"); got != 2 {
		t.Fatalf("Calls(getMe) = %d, want 2", got)
	}
}

func TestClientWrongToken(t *testing.T) {
	s := newServer(t, Options{})
	_, err := bot.New("999:WRONG", bot.WithServerURL(s.URL()))
	if !errors.Is(err, bot.ErrorUnauthorized) {
		t.Fatalf("bot.New with a wrong token: err = %v, want ErrorUnauthorized", err)
	}
}

func TestClientSendMessageInlineKeyboard(t *testing.T) {
	s := newServer(t, Options{})
	s.SendText(alice, "/start") // message 1 in Alice's chat
	b := newClient(t, s)
	ctx := ctxT(t, 5*time.Second)

	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: alice.ID,
		Text:   "Ciao! Scegli 😀",
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: "Lavoro", CallbackData: "topic:work"}, {Text: "Casa", CallbackData: "topic:home"}},
			{{Text: "Sito", URL: "https://example.org/x"}},
		}},
		ReplyParameters: &models.ReplyParameters{MessageID: 1},
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if msg.ID != 2 || msg.Chat.ID != alice.ID || msg.Chat.Type != models.ChatTypePrivate || msg.From == nil || !msg.From.IsBot {
		t.Fatalf("returned message = %+v", msg)
	}
	if msg.ReplyMarkup == nil || msg.ReplyMarkup.InlineKeyboard[0][1].CallbackData != "topic:home" {
		t.Fatalf("returned reply_markup = %+v", msg.ReplyMarkup)
	}
	if msg.ReplyToMessage == nil || msg.ReplyToMessage.Text != "/start" {
		t.Fatalf("reply_to_message = %+v", msg.ReplyToMessage)
	}

	sent := s.Sent(alice.ID)
	if len(sent) != 1 {
		t.Fatalf("Sent = %d entries, want 1", len(sent))
	}
	e := sent[0]
	if e.Method != "sendMessage" || e.Text != "Ciao! Scegli 😀" || e.MessageID != 2 || e.ReplyToMessageID != 1 || e.Seq != 1 {
		t.Fatalf("Sent[0] = %+v", e)
	}
	want := [][]Button{
		{{Text: "Lavoro", Data: "topic:work"}, {Text: "Casa", Data: "topic:home"}},
		{{Text: "Sito", URL: "https://example.org/x"}},
	}
	if len(e.Buttons) != 2 || len(e.Buttons[0]) != 2 || e.Buttons[0][0] != want[0][0] || e.Buttons[0][1] != want[0][1] || e.Buttons[1][0] != want[1][0] {
		t.Fatalf("Buttons = %+v, want %+v", e.Buttons, want)
	}
	if e.ReplyKeyboard || e.RemoveKeyboard {
		t.Fatalf("inline keyboard reported as reply keyboard: %+v", e)
	}
	if !strings.Contains(e.Params["reply_markup"], `"callback_data":"topic:work"`) {
		t.Fatalf("raw reply_markup = %q", e.Params["reply_markup"])
	}
}

func TestClientReplyKeyboardAndRemove(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(alice)
	b := newClient(t, s)
	ctx := ctxT(t, 5*time.Second)

	_, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: alice.ID, Text: "Condividi",
		ReplyMarkup: &models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{
			{{Text: "📞 Telefono", RequestContact: true}, {Text: "📍 Posizione", RequestLocation: true}},
		}, ResizeKeyboard: true, OneTimeKeyboard: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: alice.ID, Text: "Grazie", ReplyMarkup: &models.ReplyKeyboardRemove{RemoveKeyboard: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	sent := s.Sent(alice.ID)
	if len(sent) != 2 {
		t.Fatalf("Sent = %+v", sent)
	}
	k := sent[0]
	if !k.ReplyKeyboard || len(k.Buttons) != 1 || !k.Buttons[0][0].RequestContact || !k.Buttons[0][1].RequestLocation || k.Buttons[0][1].Text != "📍 Posizione" {
		t.Fatalf("reply keyboard entry = %+v", k)
	}
	if !sent[1].RemoveKeyboard || sent[1].ReplyKeyboard {
		t.Fatalf("remove keyboard entry = %+v", sent[1])
	}
}

func TestClientValidation(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(alice)
	b := newClient(t, s)
	ctx := ctxT(t, 5*time.Second)

	cases := []struct {
		name   string
		params *bot.SendMessageParams
		want   string
	}{
		{"unknown chat", &bot.SendMessageParams{ChatID: 424242, Text: "x"}, "Bad Request: chat not found"},
		{"empty text", &bot.SendMessageParams{ChatID: alice.ID, Text: "  \n"}, "Bad Request: message text is empty"},
		{"too long", &bot.SendMessageParams{ChatID: alice.ID, Text: strings.Repeat("a", 4097)}, "Bad Request: message is too long"},
		// 2049 emoji are 4098 UTF-16 code units although only 2049 runes.
		{"too long utf16", &bot.SendMessageParams{ChatID: alice.ID, Text: strings.Repeat("😀", 2049)}, "Bad Request: message is too long"},
		{"button data", &bot.SendMessageParams{ChatID: alice.ID, Text: "x", ReplyMarkup: &models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "b", CallbackData: strings.Repeat("d", 65)}}}}}, "Bad Request: BUTTON_DATA_INVALID"},
		{"bad html", &bot.SendMessageParams{ChatID: alice.ID, Text: "a<br>b", ParseMode: models.ParseModeHTML}, "Unsupported start tag"},
	}
	for _, tc := range cases {
		_, err := b.SendMessage(ctx, tc.params)
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want bad request %q", tc.name, err, tc.want)
		}
	}
	if n := len(s.Sent(alice.ID)); n != 0 {
		t.Fatalf("refused sends were recorded: %d", n)
	}

	// The limits are inclusive: 4096 code units, 64 bytes of data, and HTML
	// tags do not count.
	ok := []*bot.SendMessageParams{
		{ChatID: alice.ID, Text: strings.Repeat("a", 4096)},
		{ChatID: alice.ID, Text: strings.Repeat("😀", 2048)},
		{ChatID: alice.ID, Text: "<b>" + strings.Repeat("a", 4096) + "</b>", ParseMode: models.ParseModeHTML},
		{ChatID: alice.ID, Text: "x", ReplyMarkup: &models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "b", CallbackData: strings.Repeat("d", 64)}}}}},
	}
	for i, p := range ok {
		if _, err := b.SendMessage(ctx, p); err != nil {
			t.Errorf("valid send %d refused: %v", i, err)
		}
	}
}

func TestClientBlocked(t *testing.T) {
	s := newServer(t, Options{})
	s.AddUser(alice)
	s.Block(alice.ID)
	b := newClient(t, s)
	_, err := b.SendMessage(ctxT(t, 5*time.Second), &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Fatalf("err = %v, want ErrorForbidden", err)
	}
	if len(s.Sent(alice.ID)) != 0 || s.PendingUpdates() != 0 {
		t.Fatal("a blocked send was delivered, or Block queued an update")
	}
	s.Unblock(alice.ID)
	if _, err := b.SendMessage(ctxT(t, 5*time.Second), &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"}); err != nil {
		t.Fatalf("after Unblock: %v", err)
	}
}

func TestClientCopyMessageIntoTopic(t *testing.T) {
	s := newServer(t, Options{})
	s.CreateForumGroup(opsGroup, "Operatori")
	s.SendMessageUpdate(alice, alice.ID, 0, models.Message{Voice: &models.Voice{FileID: "voice-file-1", Duration: 4}, Caption: "ascolta"})
	b := newClient(t, s)
	ctx := ctxT(t, 5*time.Second)

	topic, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: opsGroup, Name: "Alice #1001"})
	if err != nil {
		t.Fatalf("CreateForumTopic: %v", err)
	}
	if topic.MessageThreadID <= generalTopicID || topic.Name != "Alice #1001" || topic.IconColor == 0 {
		t.Fatalf("topic = %+v", topic)
	}
	id, err := b.CopyMessage(ctx, &bot.CopyMessageParams{
		ChatID: opsGroup, MessageThreadID: topic.MessageThreadID, FromChatID: alice.ID, MessageID: 1,
	})
	if err != nil {
		t.Fatalf("CopyMessage: %v", err)
	}
	if id.ID != topic.MessageThreadID+1 {
		t.Fatalf("copy message_id = %d, want %d (ids are per chat, the topic took one)", id.ID, topic.MessageThreadID+1)
	}
	sent, err := s.WaitSent(ctx, opsGroup, 1)
	if err != nil {
		t.Fatal(err)
	}
	e := sent[0]
	if e.Method != "copyMessage" || e.ThreadID != topic.MessageThreadID || e.FileID != "voice-file-1" || e.Text != "ascolta" ||
		e.CopyOfChatID != alice.ID || e.CopyOfMessageID != 1 || e.MessageID != id.ID {
		t.Fatalf("copy entry = %+v", e)
	}
	m, ok := s.Message(opsGroup, id.ID)
	if !ok || m.Voice == nil || m.Voice.FileID != "voice-file-1" || !m.IsTopicMessage || m.MessageThreadID != topic.MessageThreadID {
		t.Fatalf("stored copy = %+v", m)
	}

	_, err = b.CopyMessage(ctx, &bot.CopyMessageParams{ChatID: opsGroup, FromChatID: alice.ID, MessageID: 99})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message to copy not found") {
		t.Fatalf("copy of a missing message: %v", err)
	}
}

func TestClientTopicsLifecycle(t *testing.T) {
	s := newServer(t, Options{})
	s.CreateForumGroup(opsGroup, "Operatori")
	s.CreateGroup(-100777, "No forum")
	b := newClient(t, s)
	ctx := ctxT(t, 5*time.Second)

	if _, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: int64(-100777), Name: "x"}); err == nil ||
		!strings.Contains(err.Error(), "the chat is not a forum") {
		t.Fatalf("topic in a non-forum group: %v", err)
	}
	if _, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: int64(-100999), Name: "x"}); err == nil ||
		!strings.Contains(err.Error(), "chat not found") {
		t.Fatalf("topic in an unknown chat: %v", err)
	}

	t1, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: opsGroup, Name: "Uno"})
	if err != nil {
		t.Fatal(err)
	}
	t2, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: opsGroup, Name: "Due", IconColor: 16766590})
	if err != nil {
		t.Fatal(err)
	}
	if t1.MessageThreadID == t2.MessageThreadID {
		t.Fatal("two topics share a thread id")
	}
	send := func(thread int) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: opsGroup, MessageThreadID: thread, Text: "scheda"})
		return err
	}
	if err := send(t1.MessageThreadID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.EditForumTopic(ctx, &bot.EditForumTopicParams{ChatID: opsGroup, MessageThreadID: t1.MessageThreadID, Name: "Uno (chiuso)"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.CloseForumTopic(ctx, &bot.CloseForumTopicParams{ChatID: opsGroup, MessageThreadID: t1.MessageThreadID}); err != nil {
		t.Fatal(err)
	}
	// The bot, an administrator with can_manage_topics, still posts in a
	// closed topic; without that right it is refused like any member.
	if err := send(t1.MessageThreadID); err != nil {
		t.Fatalf("the bot (topic manager) posting in a closed topic: %v", err)
	}
	if got := s.Topics(opsGroup)[0]; !got.Closed {
		t.Fatalf("closed topic reported open: %+v", got)
	}
	s.SetBotTopicRights(opsGroup, false)
	if err := send(t1.MessageThreadID); !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "TOPIC_CLOSED") {
		t.Fatalf("send into a closed topic without topic rights: %v", err)
	}
	s.SetBotTopicRights(opsGroup, true)
	if _, err := b.ReopenForumTopic(ctx, &bot.ReopenForumTopicParams{ChatID: opsGroup, MessageThreadID: t1.MessageThreadID}); err != nil {
		t.Fatal(err)
	}
	if err := send(t1.MessageThreadID); err != nil {
		t.Fatalf("send after reopen: %v", err)
	}
	if _, err := b.DeleteForumTopic(ctx, &bot.DeleteForumTopicParams{ChatID: opsGroup, MessageThreadID: t1.MessageThreadID}); err != nil {
		t.Fatal(err)
	}
	if err := send(t1.MessageThreadID); !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message thread not found") {
		t.Fatalf("send into a deleted topic: %v", err)
	}
	if err := send(t2.MessageThreadID); err != nil {
		t.Fatalf("other topic affected: %v", err)
	}
	if err := send(0); err != nil {
		t.Fatalf("General: %v", err)
	}

	topics := s.Topics(opsGroup)
	if len(topics) != 2 || topics[0].Name != "Uno (chiuso)" || !topics[0].Deleted || topics[0].Closed ||
		topics[1].Deleted || topics[1].IconColor != 16766590 {
		t.Fatalf("Topics = %+v", topics)
	}
	// The three messages of the deleted topic (and its creation message) are gone.
	if del := s.Deleted(opsGroup); len(del) != 4 {
		t.Fatalf("Deleted = %v, want 4 ids", del)
	}
	sent := s.Sent(opsGroup)
	if len(sent) != 5 || sent[3].ThreadID != t2.MessageThreadID || sent[4].ThreadID != 0 {
		t.Fatalf("Sent = %+v", sent)
	}
}

func TestClientCommands(t *testing.T) {
	s := newServer(t, Options{})
	b := newClient(t, s)
	ctx := ctxT(t, 5*time.Second)
	it := []models.BotCommand{{Command: "start", Description: "Inizia"}, {Command: "aiuto", Description: "Aiuto"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: it, LanguageCode: "it"}); err != nil {
		t.Fatalf("SetMyCommands: %v", err)
	}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{
		Commands: []models.BotCommand{{Command: "start", Description: "Start"}},
		Scope:    &models.BotCommandScopeAllPrivateChats{},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{LanguageCode: "it"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Command != "aiuto" {
		t.Fatalf("getMyCommands(it) = %+v", got)
	}
	if c := s.Commands("it"); len(c) != 2 || c[0].Description != "Inizia" {
		t.Fatalf("Commands(it) = %+v", c)
	}
	if c := s.Commands(""); c != nil {
		t.Fatalf("Commands(\"\") = %+v, want none (the other set has a scope)", c)
	}
	if c := s.ScopedCommands("all_private_chats", ""); len(c) != 1 {
		t.Fatalf("ScopedCommands = %+v", c)
	}
	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Bad-Cmd", Description: "x"}}})
	if !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("invalid command accepted: %v", err)
	}
}

func TestClientLongPollingLoop(t *testing.T) {
	// The real library's polling loop against the emulator: a person writes,
	// the bot answers through its handler.
	s := newServer(t, Options{})
	b := newClient(t, s, bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
		if u.Message != nil {
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "eco: " + u.Message.Text})
		}
		if u.CallbackQuery != nil {
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "ok " + u.CallbackQuery.Data})
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Start(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	s.SendText(alice, "ciao")
	sent, err := s.WaitSent(ctxT(t, 5*time.Second), alice.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sent[0].Text != "eco: ciao" {
		t.Fatalf("bot answered %q", sent[0].Text)
	}
	s.PressButton(alice, 0, sent[0].MessageID, "yes")
	deadline := time.Now().Add(5 * time.Second)
	for len(s.CallbackAnswers()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	ans := s.CallbackAnswers()
	if len(ans) != 1 || ans[0].Text != "ok yes" {
		t.Fatalf("CallbackAnswers = %+v", ans)
	}
	// Both updates were confirmed by the next poll's offset.
	deadline = time.Now().Add(5 * time.Second)
	for s.PendingUpdates() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := s.PendingUpdates(); n != 0 {
		t.Fatalf("PendingUpdates = %d after the bot polled again", n)
	}
}
