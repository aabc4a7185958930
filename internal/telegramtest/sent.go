package telegramtest

import (
	"context"
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"
)

// Sent is one successful delivery by the bot: a new message (sendMessage,
// send*, copyMessage, forwardMessage) or an edit (editMessage*, Edited set).
// Failed calls are never recorded; deletions are reported by Deleted.
type Sent struct {
	// Seq orders all deliveries of the server, starting at 1.
	Seq    int64
	Method string // canonical Bot API method name, e.g. "sendMessage"
	ChatID int64
	// ThreadID is the forum topic the message is in (0 outside topics).
	ThreadID  int
	MessageID int
	// Text is the message text, or the caption of media, exactly as the
	// bot sent it (before parse_mode processing). For copies and forwards
	// without a new caption it is the original's text or caption; for
	// editMessageReplyMarkup the message's current text.
	Text      string
	ParseMode string
	// Buttons are the inline keyboard (Data/URL) or, when ReplyKeyboard is
	// true, the reply keyboard (RequestContact/RequestLocation) attached.
	Buttons        [][]Button
	ReplyKeyboard  bool
	RemoveKeyboard bool
	// ReplyToMessageID is the message the bot replied to (reply_parameters
	// or reply_to_message_id), 0 when none.
	ReplyToMessageID int
	// FileID is the file of a photo, document, voice, video, audio,
	// animation, sticker or video note (the copied one for copies).
	FileID string
	// FileName is the name of an uploaded document.
	FileName string
	// Latitude and Longitude are set for locations and venues.
	Latitude, Longitude float64
	// Title and Address are set for venues.
	Title, Address string
	// PhoneNumber is set for contacts.
	PhoneNumber string
	// CopyOfChatID and CopyOfMessageID name the source of copyMessage and
	// forwardMessage.
	CopyOfChatID    int64
	CopyOfMessageID int
	// Edited is true for editMessageText, editMessageCaption and
	// editMessageReplyMarkup.
	Edited bool
	// At is when the emulator accepted the call.
	At time.Time
	// Params are the raw request parameters (see the package's body
	// decoding: nested objects are JSON text).
	Params map[string]string
}

// CallbackAnswer is one answerCallbackQuery call that succeeded.
type CallbackAnswer struct {
	QueryID   string
	Text      string
	ShowAlert bool
	URL       string
	CacheTime int
	At        time.Time
}

// callbackState is a callback query handed to the bot.
type callbackState struct {
	answered bool
}

// recordLocked stores a delivery, assigns its Seq and wakes WaitSent. The
// caller holds s.mu and must call fireSent with the result after unlocking.
func (s *Server) recordLocked(e Sent) Sent {
	e.Seq = int64(len(s.sent)) + 1
	if e.At.IsZero() {
		e.At = now()
	}
	s.sent = append(s.sent, e)
	s.sentByChat[e.ChatID] = append(s.sentByChat[e.ChatID], e)
	broadcast(&s.sentCh)
	return e
}

// fireSent runs the OnSent callbacks. The caller does not hold s.mu.
func (s *Server) fireSent(e Sent) {
	s.mu.Lock()
	fns := s.onSent
	s.mu.Unlock()
	for _, fn := range fns {
		fn(e)
	}
}

// Sent returns, in delivery order, what the bot delivered to chatID
// (successful calls only; edits are separate entries with Edited set). The
// slice is a copy.
func (s *Server) Sent(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sentByChat[chatID]...)
}

// AllSent returns every delivery of the server in Seq order. The slice is a
// copy.
func (s *Server) AllSent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// WaitSent blocks until at least n deliveries to chatID exist and returns
// them all (possibly more than n). When ctx ends or the server closes first
// it returns what arrived so far and an error saying how many arrived.
func (s *Server) WaitSent(ctx context.Context, chatID int64, n int) ([]Sent, error) {
	for {
		s.mu.Lock()
		got := s.sentByChat[chatID]
		if len(got) >= n {
			out := append([]Sent(nil), got...)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.sentCh
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			out := s.Sent(chatID)
			return out, fmt.Errorf("telegramtest: waited for %d messages to chat %d, %d arrived: %w", n, chatID, len(out), ctx.Err())
		case <-s.done:
			out := s.Sent(chatID)
			return out, fmt.Errorf("telegramtest: server closed while waiting for %d messages to chat %d, %d arrived", n, chatID, len(out))
		}
	}
}

// OnSent registers fn to be called for every later successful delivery,
// synchronously, before the bot receives its HTTP answer. Calls for
// concurrent requests may run concurrently and out of Seq order; fn must be
// quick and safe for concurrent use. It may call Server methods.
func (s *Server) OnSent(fn func(Sent)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onSent = append(append([](func(Sent)){}, s.onSent...), fn)
}

// CallbackAnswers returns the successful answerCallbackQuery calls in order.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAnswer(nil), s.answers...)
}

// ChatActions returns the actions ("typing", "upload_photo"…) sent with
// sendChatAction to chatID, in order.
func (s *Server) ChatActions(chatID int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.actions[chatID]...)
}

// Deleted returns the ids of the messages of chatID deleted with
// deleteMessage or with their forum topic, in order.
func (s *Server) Deleted(chatID int64) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.deleted[chatID]...)
}

// Message returns a message of chatID as it is now (after edits), whoever
// sent it. ok is false for unknown or deleted messages.
func (s *Server) Message(chatID int64, messageID int) (m models.Message, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return models.Message{}, false
	}
	sm := c.message(messageID)
	if sm == nil {
		return models.Message{}, false
	}
	return sm.msg, true
}

// Commands returns the commands set with setMyCommands for the default
// scope and languageCode ("" for all languages), nil when none.
func (s *Server) Commands(languageCode string) []models.BotCommand {
	return s.ScopedCommands("default", languageCode)
}

// ScopedCommands returns the commands set for a scope and a language. scope
// is the scope type ("default", "all_private_chats", "all_group_chats",
// "all_chat_administrators") or, for scopes naming a chat,
// "chat:<chat_id>", "chat_administrators:<chat_id>",
// "chat_member:<chat_id>:<user_id>".
func (s *Server) ScopedCommands(scope, languageCode string) []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds, ok := s.commands[scope+"|"+languageCode]
	if !ok {
		return nil
	}
	return append([]models.BotCommand(nil), cmds...)
}
