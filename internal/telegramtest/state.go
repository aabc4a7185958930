package telegramtest

import (
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// chatState is everything the emulator knows about one chat.
type chatState struct {
	chat    models.Chat
	lastID  int // last message_id used in the chat
	msgs    map[int]*storedMsg
	members map[int64]bool // user id -> administrator
	topics  map[int]*topicState
	order   []int // topic ids in creation order
	blocked bool
	// noTopicRights: the bot lacks can_manage_topics here, so closed
	// topics refuse its messages (SetBotTopicRights).
	noTopicRights bool
}

// storedMsg is a message of a chat as it is now (after edits).
type storedMsg struct {
	msg     models.Message
	fromBot bool
	deleted bool
	service bool
	rawText string // text or caption as the bot sent it (before parse_mode)
}

// topicState is a forum topic.
type topicState struct {
	topic   models.ForumTopic
	closed  bool
	deleted bool
	root    *models.Message // the forum_topic_created service message
}

func newChatState(c models.Chat) *chatState {
	return &chatState{chat: c, msgs: map[int]*storedMsg{}, members: map[int64]bool{}, topics: map[int]*topicState{}}
}

// nextMessageID allocates the next message_id of the chat.
func (c *chatState) nextMessageID() int {
	c.lastID++
	return c.lastID
}

// message returns a live (not deleted) message of the chat.
func (c *chatState) message(id int) *storedMsg {
	m := c.msgs[id]
	if m == nil || m.deleted {
		return nil
	}
	return m
}

func (c *chatState) private() bool { return c.chat.Type == models.ChatTypePrivate }

// privateChatLocked returns the private chat with u, creating it and
// refreshing the user's names. The caller holds s.mu.
func (s *Server) privateChatLocked(u User) *chatState {
	s.users[u.ID] = u
	c := s.chats[u.ID]
	if c == nil {
		c = newChatState(models.Chat{ID: u.ID, Type: models.ChatTypePrivate})
		s.chats[u.ID] = c
	}
	c.chat.FirstName, c.chat.LastName, c.chat.Username = u.FirstName, u.LastName, u.Username
	return c
}

// groupChatLocked returns the supergroup chatID, registering a non-forum one
// when unknown. The caller holds s.mu.
func (s *Server) groupChatLocked(chatID int64) *chatState {
	c := s.chats[chatID]
	if c == nil {
		c = newChatState(models.Chat{ID: chatID, Type: models.ChatTypeSupergroup, Title: "Group " + strconv.FormatInt(chatID, 10)})
		s.chats[chatID] = c
	}
	return c
}

// chatForUserLocked returns the chat a person writes in: their private chat
// for chatID 0 or their own id, otherwise the group chatID (registered when
// unknown). The caller holds s.mu.
func (s *Server) chatForUserLocked(u User, chatID int64) *chatState {
	if chatID == 0 || chatID == u.ID {
		return s.privateChatLocked(u)
	}
	s.users[u.ID] = u
	if chatID > 0 {
		c := s.chats[chatID]
		if c == nil {
			c = newChatState(models.Chat{ID: chatID, Type: models.ChatTypePrivate})
			s.chats[chatID] = c
		}
		return c
	}
	return s.groupChatLocked(chatID)
}

// resolveChatLocked finds the chat a chat_id parameter names: a number or
// an @username. The caller holds s.mu.
func (s *Server) resolveChatLocked(v string) (*chatState, *apiError) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, badRequest("chat_id is empty")
	}
	if strings.HasPrefix(v, "@") {
		name := strings.ToLower(v[1:])
		for _, c := range s.chats {
			if c.chat.Username != "" && strings.ToLower(c.chat.Username) == name {
				return c, nil
			}
		}
		return nil, errChatNotFound
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, errChatNotFound
	}
	c := s.chats[id]
	if c == nil {
		return nil, errChatNotFound
	}
	return c, nil
}

// botUser is the bot as a models.User.
func (s *Server) botUser() models.User {
	return models.User{ID: s.botID, IsBot: true, FirstName: s.opts.BotName, Username: s.opts.BotUsername}
}

// userModel returns the known profile of a user id (bare when unknown).
func (s *Server) userModelLocked(id int64) models.User {
	if id == s.botID {
		return s.botUser()
	}
	if u, ok := s.users[id]; ok {
		return u.model()
	}
	return models.User{ID: id}
}
