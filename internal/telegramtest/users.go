package telegramtest

import (
	"fmt"
	"strconv"

	"github.com/go-telegram/bot/models"
)

// User is a person talking to the bot. In a private chat the chat id is the
// user id, as in Telegram.
type User struct {
	ID           int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string
}

func (u User) model() models.User {
	return models.User{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
}

// Model returns u as the Bot API describes it.
func (u User) Model() models.User { return u.model() }

// AddUser registers u and its private chat without queuing anything, as if
// u had started the bot earlier: the bot can then send to u. (Sending to a
// private chat nobody opened answers 400 "chat not found".)
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.privateChatLocked(u)
}

// SendText queues a message update from u in its private chat and returns
// the update_id. A text starting with "/" gets a bot_command entity at
// offset 0 covering the command (and its @botname suffix), as Telegram
// does.
func (s *Server) SendText(u User, text string) int64 {
	return s.SendMessageUpdate(u, u.ID, 0, models.Message{Text: text})
}

// SendMessageUpdate queues a message update with any content (contact,
// location, photo with a file_id, voice, sticker…). The emulator sets
// message_id (next id of the chat), chat, date (when zero), from (when nil)
// and, when threadID is not 0, message_thread_id and is_topic_message
// (reply_to_message defaults to the topic's creation message, as in
// Telegram). chatID 0 or u.ID means u's private chat; an unknown negative
// chatID is registered as a (non-forum) supergroup. Commands get their
// bot_command entity when m has no entities. The topic's state is not
// checked: tests may queue messages into closed or deleted topics. It
// returns the update_id.
func (s *Server) SendMessageUpdate(u User, chatID int64, threadID int, m models.Message) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatForUserLocked(u, chatID)
	m.ID = ch.nextMessageID()
	m.Chat = ch.chat
	if m.Date == 0 {
		m.Date = int(now().Unix())
	}
	if m.From == nil {
		from := u.model()
		m.From = &from
	}
	if threadID == generalTopicID && ch.chat.IsForum {
		threadID = 0
	}
	if threadID != 0 {
		m.MessageThreadID, m.IsTopicMessage = threadID, true
	}
	if m.IsTopicMessage && m.ReplyToMessage == nil {
		if tp := ch.topics[m.MessageThreadID]; tp != nil {
			m.ReplyToMessage = tp.root
		}
	}
	if m.Text != "" && len(m.Entities) == 0 {
		m.Entities = commandEntities(m.Text)
	}
	ch.msgs[m.ID] = &storedMsg{msg: m}
	return s.enqueueLocked(&models.Update{Message: &m})
}

// SendContact queues u sharing its own phone number (what a
// request_contact button sends) in its private chat.
func (s *Server) SendContact(u User, phone string) int64 {
	return s.SendMessageUpdate(u, u.ID, 0, models.Message{Contact: &models.Contact{
		PhoneNumber: phone, FirstName: u.FirstName, LastName: u.LastName, UserID: u.ID,
	}})
}

// SendLocation queues u sharing a location in its private chat.
func (s *Server) SendLocation(u User, lat, lon float64) int64 {
	return s.SendMessageUpdate(u, u.ID, 0, models.Message{Location: &models.Location{Latitude: lat, Longitude: lon}})
}

// PressButton queues a callback_query from u: a new unique id, data, and
// the message with messageID in chatID as it is now (an inaccessible
// message when it does not exist or was deleted). chatID 0 means u's
// private chat. The data is not checked against the message's keyboard;
// see ClickButton. It returns the update_id.
func (s *Server) PressButton(u User, chatID int64, messageID int, data string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatForUserLocked(u, chatID)
	s.nextCallback++
	id := strconv.FormatInt(4000000000000000000+s.nextCallback, 10)
	s.callbacks[id] = &callbackState{}
	q := &models.CallbackQuery{
		ID:           id,
		From:         u.model(),
		ChatInstance: strconv.FormatInt(-ch.chat.ID*7919-1, 10),
		Data:         data,
	}
	if sm := ch.message(messageID); sm != nil {
		cp := sm.msg
		q.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &cp}
	} else {
		q.Message = models.MaybeInaccessibleMessage{
			Type:                models.MaybeInaccessibleMessageTypeInaccessibleMessage,
			InaccessibleMessage: &models.InaccessibleMessage{Chat: ch.chat, MessageID: messageID},
		}
	}
	return s.enqueueLocked(&models.Update{CallbackQuery: q})
}

// ClickButton presses the inline button labelled text on a message of
// chatID (0 for u's private chat), as a person tapping it would. It fails
// when the message does not exist or has no such callback button.
func (s *Server) ClickButton(u User, chatID int64, messageID int, text string) (int64, error) {
	if chatID == 0 {
		chatID = u.ID
	}
	s.mu.Lock()
	var data string
	found := false
	if ch := s.chats[chatID]; ch != nil {
		if sm := ch.message(messageID); sm != nil && sm.msg.ReplyMarkup != nil {
			for _, row := range sm.msg.ReplyMarkup.InlineKeyboard {
				for _, b := range row {
					if b.Text == text && b.CallbackData != "" && !found {
						data, found = b.CallbackData, true
					}
				}
			}
		}
	}
	s.mu.Unlock()
	if !found {
		return 0, fmt.Errorf("telegramtest: no callback button %q on message %d of chat %d", text, messageID, chatID)
	}
	return s.PressButton(u, chatID, messageID, data), nil
}
