package telegramtest

import (
	"strings"

	"github.com/go-telegram/bot/models"
)

// generalTopicID is the General topic of a forum: sending there is sending
// without a topic.
const generalTopicID = 1

// Topic icon colors Telegram allows; the first is the default.
var topicColors = []int{7322096, 16766590, 13338331, 9367192, 16749490, 16478047}

// Topic is a forum topic as the emulator knows it.
type Topic struct {
	ID                int // message_thread_id
	Name              string
	IconColor         int
	IconCustomEmojiID string
	Closed            bool
	Deleted           bool
}

// forumLocked resolves chat_id to a forum supergroup the bot may manage.
func (s *Server) forumLocked(c *call) (*chatState, *apiError) {
	ch, e := s.resolveChatLocked(c.p.str("chat_id"))
	if e != nil {
		return nil, e
	}
	if ch.blocked {
		return nil, blockedError(ch)
	}
	if !ch.chat.IsForum {
		return nil, badRequest("the chat is not a forum")
	}
	return ch, nil
}

// topicLocked resolves message_thread_id to a live topic of ch.
func topicLocked(c *call, ch *chatState) (*topicState, *apiError) {
	id, e := c.p.int("message_thread_id")
	if e != nil {
		return nil, e
	}
	tp := ch.topics[id]
	if tp == nil || tp.deleted {
		return nil, badRequest("TOPIC_ID_INVALID")
	}
	return tp, nil
}

func checkTopicName(name string) *apiError {
	if strings.TrimSpace(name) == "" {
		return badRequest("TOPIC_TITLE_EMPTY")
	}
	if utf16Len(name) > 128 {
		return badRequest("TOPIC_TITLE_TOO_LONG")
	}
	return nil
}

// createForumTopic: chat_id (a forum registered with CreateForumGroup),
// name (1-128 characters), icon_color (one of Telegram's six, default
// 7322096), icon_custom_emoji_id. The topic's message_thread_id is the id
// of its forum_topic_created service message, as in Telegram. Answers a
// models.ForumTopic.
func createForumTopic(s *Server, c *call) (any, *apiError) {
	name := c.p.str("name")
	if e := checkTopicName(name); e != nil {
		return nil, e
	}
	color, e := c.p.int("icon_color")
	if e != nil {
		return nil, e
	}
	if color == 0 {
		color = topicColors[0]
	}
	okColor := false
	for _, tc := range topicColors {
		okColor = okColor || tc == color
	}
	if !okColor {
		return nil, badRequest("TOPIC_ICON_COLOR_INVALID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.forumLocked(c)
	if e != nil {
		return nil, e
	}
	id := ch.nextMessageID()
	topic := models.ForumTopic{MessageThreadID: id, Name: name, IconColor: color, IconCustomEmojiID: c.p.str("icon_custom_emoji_id")}
	bot := s.botUser()
	root := models.Message{
		ID: id, MessageThreadID: id, IsTopicMessage: true, From: &bot, Chat: ch.chat, Date: int(now().Unix()),
		ForumTopicCreated: &models.ForumTopicCreated{Name: name, IconColor: color, IconCustomEmojiID: topic.IconCustomEmojiID},
	}
	ch.msgs[id] = &storedMsg{msg: root, fromBot: true, service: true}
	rootCopy := root
	ch.topics[id] = &topicState{topic: topic, root: &rootCopy}
	ch.order = append(ch.order, id)
	return &topic, nil
}

// editForumTopic: name and/or icon_custom_emoji_id; TOPIC_NOT_MODIFIED when
// nothing changes.
func editForumTopic(s *Server, c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.forumLocked(c)
	if e != nil {
		return nil, e
	}
	tp, e := topicLocked(c, ch)
	if e != nil {
		return nil, e
	}
	next := tp.topic
	if name := c.p.str("name"); name != "" {
		if e := checkTopicName(name); e != nil {
			return nil, e
		}
		next.Name = name
	}
	if c.p.has("icon_custom_emoji_id") {
		next.IconCustomEmojiID = c.p.str("icon_custom_emoji_id")
	}
	if next == tp.topic {
		return nil, badRequest("TOPIC_NOT_MODIFIED")
	}
	tp.topic = next
	return true, nil
}

// closeForumTopic: later sends into the topic answer 400 TOPIC_CLOSED,
// except the bot's while it has can_manage_topics (SetBotTopicRights).
func closeForumTopic(s *Server, c *call) (any, *apiError) { return setTopicClosed(s, c, true) }

// reopenForumTopic undoes closeForumTopic.
func reopenForumTopic(s *Server, c *call) (any, *apiError) { return setTopicClosed(s, c, false) }

func setTopicClosed(s *Server, c *call, closed bool) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.forumLocked(c)
	if e != nil {
		return nil, e
	}
	tp, e := topicLocked(c, ch)
	if e != nil {
		return nil, e
	}
	if tp.closed == closed {
		return nil, badRequest("TOPIC_NOT_MODIFIED")
	}
	tp.closed = closed
	return true, nil
}

// deleteForumTopic deletes the topic and all its messages; later sends with
// its message_thread_id answer 400 "message thread not found".
func deleteForumTopic(s *Server, c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.forumLocked(c)
	if e != nil {
		return nil, e
	}
	tp, e := topicLocked(c, ch)
	if e != nil {
		return nil, e
	}
	tp.deleted = true
	id := tp.topic.MessageThreadID
	for mid := 1; mid <= ch.lastID; mid++ {
		if sm := ch.msgs[mid]; sm != nil && !sm.deleted && sm.msg.IsTopicMessage && sm.msg.MessageThreadID == id {
			sm.deleted = true
			s.deleted[ch.chat.ID] = append(s.deleted[ch.chat.ID], mid)
		}
	}
	return true, nil
}

// Topics returns the topics of a forum in creation order, deleted ones
// included (Deleted set).
func (s *Server) Topics(chatID int64) []Topic {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chats[chatID]
	if ch == nil {
		return nil
	}
	out := make([]Topic, 0, len(ch.order))
	for _, id := range ch.order {
		tp := ch.topics[id]
		out = append(out, Topic{
			ID: id, Name: tp.topic.Name, IconColor: tp.topic.IconColor,
			IconCustomEmojiID: tp.topic.IconCustomEmojiID, Closed: tp.closed, Deleted: tp.deleted,
		})
	}
	return out
}
