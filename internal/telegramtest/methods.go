package telegramtest

import (
	"encoding/json"
	"strings"

	"github.com/go-telegram/bot/models"
)

// handler answers one Bot API method: a result to put in the envelope, or
// an error.
type handler func(s *Server, c *call) (any, *apiError)

type method struct {
	name string // canonical name, e.g. "sendMessage"
	fn   handler
}

// methods maps lower-cased method names (Telegram matches them case
// insensitively) to handlers. Filled by init to avoid an initialization
// cycle.
var methods map[string]method

func init() {
	list := []method{
		{"getMe", getMe},
		{"getUpdates", getUpdates},
		{"setWebhook", setWebhook},
		{"deleteWebhook", deleteWebhook},
		{"getWebhookInfo", getWebhookInfo},
		{"sendMessage", sendMessage},
		{"sendPhoto", sendMedia("photo")},
		{"sendDocument", sendMedia("document")},
		{"sendVoice", sendMedia("voice")},
		{"sendVideo", sendMedia("video")},
		{"sendAudio", sendMedia("audio")},
		{"sendAnimation", sendMedia("animation")},
		{"sendSticker", sendMedia("sticker")},
		{"sendVideoNote", sendMedia("video_note")},
		{"sendLocation", sendLocation},
		{"sendVenue", sendVenue},
		{"sendContact", sendContact},
		{"copyMessage", copyMessage},
		{"forwardMessage", forwardMessage},
		{"editMessageText", editMessageText},
		{"editMessageCaption", editMessageCaption},
		{"editMessageReplyMarkup", editMessageReplyMarkup},
		{"deleteMessage", deleteMessage},
		{"answerCallbackQuery", answerCallbackQuery},
		{"sendChatAction", sendChatAction},
		{"setMyCommands", setMyCommands},
		{"getMyCommands", getMyCommands},
		{"deleteMyCommands", deleteMyCommands},
		{"createForumTopic", createForumTopic},
		{"editForumTopic", editForumTopic},
		{"closeForumTopic", closeForumTopic},
		{"reopenForumTopic", reopenForumTopic},
		{"deleteForumTopic", deleteForumTopic},
		{"getChat", getChat},
		{"getChatMember", getChatMember},
		{"getFile", getFile},
	}
	methods = make(map[string]method, len(list))
	for _, m := range list {
		methods[strings.ToLower(m.name)] = m
	}
}

func lookupMethod(name string) (method, bool) {
	m, ok := methods[strings.ToLower(name)]
	return m, ok
}

// Methods lists the Bot API methods the emulator answers, by canonical
// name, in no particular order.
func Methods() []string {
	out := make([]string, 0, len(methods))
	for _, m := range methods {
		out = append(out, m.name)
	}
	return out
}

func getMe(s *Server, _ *call) (any, *apiError) {
	u := s.botUser()
	u.CanJoinGroups = true
	return &u, nil
}

// getChat answers a models.ChatFullInfo for a known chat.
func getChat(s *Server, c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.resolveChatLocked(c.p.str("chat_id"))
	if e != nil {
		return nil, e
	}
	info := &models.ChatFullInfo{
		ID:               ch.chat.ID,
		Type:             ch.chat.Type,
		Title:            ch.chat.Title,
		Username:         ch.chat.Username,
		FirstName:        ch.chat.FirstName,
		LastName:         ch.chat.LastName,
		IsForum:          ch.chat.IsForum,
		MaxReactionCount: 11,
	}
	return info, nil
}

// getChatMember: "administrator" for the bot in groups and for members added
// as admins, "member" for other added members and for the user of a private
// chat, "left" otherwise.
func getChatMember(s *Server, c *call) (any, *apiError) {
	userID, e := c.p.int64("user_id")
	if e != nil {
		return nil, e
	}
	if userID == 0 {
		return nil, badRequest("invalid user_id specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.resolveChatLocked(c.p.str("chat_id"))
	if e != nil {
		return nil, e
	}
	user := s.userModelLocked(userID)
	admin, member := ch.members[userID]
	switch {
	case ch.private():
		member = userID == ch.chat.ID || userID == s.botID
		admin = false
	case userID == s.botID:
		member, admin = true, true
	}
	var cm models.ChatMember
	switch {
	case member && admin:
		cm = models.ChatMember{Type: models.ChatMemberTypeAdministrator, Administrator: &models.ChatMemberAdministrator{
			User: user, CanManageChat: true, CanDeleteMessages: true, CanRestrictMembers: true,
			CanInviteUsers: true, CanPinMessages: true, CanManageTopics: true, CanChangeInfo: true,
		}}
	case member:
		cm = models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &user}}
	default:
		cm = models.ChatMember{Type: models.ChatMemberTypeLeft, Left: &models.ChatMemberLeft{User: &user}}
	}
	return &cm, nil
}

// answerCallbackQuery: each query the emulator issued (PressButton) can be
// answered once; unknown or already answered ids get Telegram's "query is
// too old" error.
func answerCallbackQuery(s *Server, c *call) (any, *apiError) {
	id := c.p.str("callback_query_id")
	showAlert, e := c.p.bool("show_alert")
	if e != nil {
		return nil, e
	}
	cacheTime, e := c.p.int("cache_time")
	if e != nil {
		return nil, e
	}
	text := c.p.str("text")
	if utf16Len(text) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.callbacks[id]
	if q == nil || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	q.answered = true
	s.answers = append(s.answers, CallbackAnswer{
		QueryID: id, Text: text, ShowAlert: showAlert, URL: c.p.str("url"), CacheTime: cacheTime, At: now(),
	})
	return true, nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

// sendChatAction records the action (see ChatActions). It is refused like a
// send (unknown chat, blocked, closed topic) but not flood limited.
func sendChatAction(s *Server, c *call) (any, *apiError) {
	threadID, e := c.p.int("message_thread_id")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.resolveChatLocked(c.p.str("chat_id"))
	if e != nil {
		return nil, e
	}
	if ch.blocked {
		return nil, blockedError(ch)
	}
	if _, _, e := ch.thread(threadID); e != nil {
		return nil, e
	}
	action := c.p.str("action")
	if !chatActions[action] {
		return nil, badRequest("wrong parameter action in request")
	}
	s.actions[ch.chat.ID] = append(s.actions[ch.chat.ID], action)
	return true, nil
}

// commandScope turns the scope parameter into the key used by
// ScopedCommands.
func commandScope(p params) (string, *apiError) {
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID json.RawMessage `json:"user_id"`
	}
	present, e := p.json("scope", &sc)
	if e != nil {
		return "", e
	}
	if !present {
		return "default", nil
	}
	raw := func(r json.RawMessage) string { return strings.Trim(string(r), `" `) }
	switch sc.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		return sc.Type, nil
	case "chat", "chat_administrators":
		if raw(sc.ChatID) == "" {
			return "", badRequest("chat not found")
		}
		return sc.Type + ":" + raw(sc.ChatID), nil
	case "chat_member":
		if raw(sc.ChatID) == "" || raw(sc.UserID) == "" {
			return "", badRequest("chat not found")
		}
		return sc.Type + ":" + raw(sc.ChatID) + ":" + raw(sc.UserID), nil
	}
	return "", badRequest("unsupported bot command scope type")
}

// setMyCommands stores commands per scope and language_code. Commands must
// be 1-32 characters of a-z, 0-9 and _, descriptions 1-256 characters, at
// most 100 commands.
func setMyCommands(s *Server, c *call) (any, *apiError) {
	var cmds []models.BotCommand
	present, e := c.p.json("commands", &cmds)
	if e != nil {
		return nil, e
	}
	if !present {
		return nil, badRequest("parameter \"commands\" is required")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands")
	}
	for _, cmd := range cmds {
		if !validCommand(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(cmd.Description); n == 0 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	scope, e := commandScope(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := scope + "|" + c.p.str("language_code")
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	return true, nil
}

func validCommand(cmd string) bool {
	if len(cmd) == 0 || len(cmd) > 32 {
		return false
	}
	for _, r := range cmd {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// getMyCommands answers the commands of exactly that scope and language
// ([] when none).
func getMyCommands(s *Server, c *call) (any, *apiError) {
	scope, e := commandScope(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds := s.commands[scope+"|"+c.p.str("language_code")]
	if cmds == nil {
		cmds = []models.BotCommand{}
	}
	return cmds, nil
}

func deleteMyCommands(s *Server, c *call) (any, *apiError) {
	scope, e := commandScope(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, scope+"|"+c.p.str("language_code"))
	return true, nil
}
