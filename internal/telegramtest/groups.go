package telegramtest

import (
	"fmt"

	"github.com/go-telegram/bot/models"
)

// CreateForumGroup registers a forum supergroup (topics enabled) where the
// bot is an administrator, e.g. the operators' group. chatID must be
// negative (it panics otherwise). Registering an existing chat again
// updates its title and makes it a forum.
func (s *Server) CreateForumGroup(chatID int64, title string) {
	s.createGroup(chatID, title, true)
}

// CreateGroup registers a supergroup without topics.
func (s *Server) CreateGroup(chatID int64, title string) {
	s.createGroup(chatID, title, false)
}

func (s *Server) createGroup(chatID int64, title string, forum bool) {
	if chatID >= 0 {
		panic(fmt.Sprintf("telegramtest: group chat ids are negative, got %d", chatID))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.groupChatLocked(chatID)
	ch.chat.Title, ch.chat.IsForum = title, forum
	if ch.lastID < generalTopicID {
		// Message 1 is the group's creation; topics (whose ids are message
		// ids) thus never collide with General (1).
		ch.lastID = generalTopicID
	}
	for _, sm := range ch.msgs {
		sm.msg.Chat = ch.chat
	}
}

// AddMember makes u a member of the group chatID (an administrator when
// admin is true), as getChatMember reports. An unknown chatID is registered
// as a supergroup without topics; chatID must be negative (it panics
// otherwise). No update is queued.
func (s *Server) AddMember(chatID int64, u User, admin bool) {
	if chatID >= 0 {
		panic(fmt.Sprintf("telegramtest: group chat ids are negative, got %d", chatID))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	s.groupChatLocked(chatID).members[u.ID] = admin
}

// SendGroupText queues a text message from u in the group chatID, in the
// topic threadID (0 for none or General): message_thread_id and
// is_topic_message are set when threadID is not 0, and a text starting with
// "/" gets its bot_command entity. It returns the update_id.
func (s *Server) SendGroupText(u User, chatID int64, threadID int, text string) int64 {
	if threadID == generalTopicID {
		threadID = 0
	}
	return s.SendMessageUpdate(u, chatID, threadID, models.Message{Text: text})
}

// DeleteTopic deletes a forum topic by hand, as an admin of the group
// would: later sends into it answer 400 "message thread not found".
func (s *Server) DeleteTopic(chatID int64, threadID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chats[chatID]
	if ch == nil || ch.topics[threadID] == nil {
		return
	}
	ch.topics[threadID].deleted = true
}

// SetBotTopicRights gives the bot the can_manage_topics right in the forum
// chatID (true, the default of CreateForumGroup) or takes it away: without
// it, sends into a closed topic answer 400 TOPIC_CLOSED, as for any member.
func (s *Server) SetBotTopicRights(chatID int64, manage bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groupChatLocked(chatID).noTopicRights = !manage
}
