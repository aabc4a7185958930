package telegramtest

import (
	"net/http"
	"time"

	"github.com/go-telegram/bot/models"
)

// failRule makes the next n calls of a method (any method when "") fail.
type failRule struct {
	method string
	n      int
	status int
}

// FailNext makes the next n calls of method (the Bot API name, case
// insensitive; "" for any method) answer the HTTP status without any effect:
// nothing is sent, no update is confirmed. The answer is a Bot API error
// envelope whose description is the status text ("Internal Server Error",
// "Bad Gateway"…); a 429 carries retry_after 1. Rules are consumed in the
// order they were added; calls still count in Calls.
func (s *Server) FailNext(method string, n int, status int) {
	if n <= 0 {
		return
	}
	if m, ok := lookupMethod(method); ok {
		method = m.name
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failRule{method: method, n: n, status: status})
}

// takeFault consumes a matching FailNext rule and returns its error.
func (s *Server) takeFault(method string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.failures {
		r := &s.failures[i]
		if r.n <= 0 || (r.method != "" && r.method != method) {
			continue
		}
		r.n--
		status := r.status
		if r.n == 0 {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
		}
		if status == http.StatusTooManyRequests {
			return tooManyRequests(1)
		}
		desc := http.StatusText(status)
		if desc == "" {
			desc = "Error"
		}
		return &apiError{code: status, desc: desc}
	}
	return nil
}

// SetLatency delays every later answer by d (0 turns it off). The delay
// comes before the request takes effect, as network latency would; a
// request whose client gives up during the delay has no effect.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Calls counts the requests for method (case insensitive), including failed
// and refused ones; unknown methods are counted under the name used.
func (s *Server) Calls(method string) int {
	if m, ok := lookupMethod(method); ok {
		method = m.name
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Block makes every later send to chatID (send*, copyMessage,
// forwardMessage, edits, sendChatAction) answer 403 "Forbidden: bot was
// blocked by the user" (for a group: "Forbidden: bot was kicked from the
// supergroup chat"). No update is queued; see UserBlocksBot for that.
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatOrStubLocked(chatID).blocked = true
}

// Unblock undoes Block. No update is queued; see UserUnblocksBot.
func (s *Server) Unblock(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		c.blocked = false
	}
}

// UserBlocksBot blocks the bot as u would in Telegram: later sends to u's
// private chat answer 403 and a my_chat_member update (the bot's status
// going from "member" to "kicked") is queued. It returns the update_id.
func (s *Server) UserBlocksBot(u User) int64 {
	return s.memberChange(u, true)
}

// UserUnblocksBot undoes UserBlocksBot: sends work again and a
// my_chat_member update ("kicked" to "member") is queued. It returns the
// update_id.
func (s *Server) UserUnblocksBot(u User) int64 {
	return s.memberChange(u, false)
}

func (s *Server) memberChange(u User, block bool) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.privateChatLocked(u)
	c.blocked = block
	bot := s.botUser()
	member := models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &bot}}
	kicked := models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{User: &bot}}
	upd := &models.ChatMemberUpdated{Chat: c.chat, From: u.model(), Date: int(now().Unix())}
	if block {
		upd.OldChatMember, upd.NewChatMember = member, kicked
	} else {
		upd.OldChatMember, upd.NewChatMember = kicked, member
	}
	return s.enqueueLocked(&models.Update{MyChatMember: upd})
}

// chatOrStubLocked returns chatID's state, creating a bare private chat or
// supergroup when unknown. The caller holds s.mu.
func (s *Server) chatOrStubLocked(chatID int64) *chatState {
	if c := s.chats[chatID]; c != nil {
		return c
	}
	if chatID < 0 {
		return s.groupChatLocked(chatID)
	}
	c := newChatState(models.Chat{ID: chatID, Type: models.ChatTypePrivate})
	s.chats[chatID] = c
	return c
}

// ClearFaults drops the failures FailNext queued that have not happened yet.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = nil
}
