package telegramtest

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// What an edit method changes.
type editKind int

const (
	editText editKind = iota
	editCaption
	editMarkup
)

var errNotModified = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

// editMessageText: chat_id, message_id, text, parse_mode, entities,
// link_preview_options, reply_markup (absent removes the inline keyboard,
// as in Telegram).
func editMessageText(s *Server, c *call) (any, *apiError) { return s.edit(c, editText) }

// editMessageCaption: chat_id, message_id, caption, parse_mode,
// reply_markup.
func editMessageCaption(s *Server, c *call) (any, *apiError) { return s.edit(c, editCaption) }

// editMessageReplyMarkup: chat_id, message_id, reply_markup (absent removes
// it).
func editMessageReplyMarkup(s *Server, c *call) (any, *apiError) { return s.edit(c, editMarkup) }

// edit changes a message the bot sent earlier. Refusals: inline messages
// (unsupported), unknown chat, blocked chat, unknown or deleted message
// ("message to edit not found"), someone else's message ("message can't be
// edited"), nothing changed ("message is not modified…"), flood limits.
// It answers the edited message and records a Sent entry with Edited set.
func (s *Server) edit(c *call, kind editKind) (any, *apiError) {
	if c.p.str("inline_message_id") != "" {
		return nil, badRequest("telegramtest does not support inline messages")
	}
	msgID, e := c.p.int("message_id")
	if e != nil {
		return nil, e
	}
	mk, e := parseMarkup(c.p)
	if e != nil {
		return nil, e
	}
	if mk.keyboard || mk.remove || mk.forceReply {
		return nil, badRequest("inline keyboard expected")
	}

	s.mu.Lock()
	t := now()
	if id, err := strconv.ParseInt(strings.TrimSpace(c.p.str("chat_id")), 10, 64); err == nil {
		s.flood.noteAttemptLocked(id, t)
	}
	fail := func(e *apiError) (any, *apiError) {
		s.mu.Unlock()
		return nil, e
	}
	ch, e := s.resolveChatLocked(c.p.str("chat_id"))
	if e != nil {
		return fail(e)
	}
	if ch.blocked {
		return fail(blockedError(ch))
	}
	sm := ch.message(msgID)
	if sm == nil {
		return fail(badRequest("message to edit not found"))
	}
	if !sm.fromBot || sm.service {
		return fail(badRequest("message can't be edited"))
	}
	next := sm.msg
	rawText, pm := sm.rawText, ""
	switch kind {
	case editText:
		if sm.msg.Text == "" {
			return fail(badRequest("there is no text in the message to edit"))
		}
		text := c.p.str("text")
		pm = c.p.str("parse_mode")
		plain, ents, e := checkMessageText(text, pm, c.p.str("entities"))
		if e != nil {
			return fail(e)
		}
		var lpo *models.LinkPreviewOptions
		if _, e := c.p.json("link_preview_options", &lpo); e != nil {
			return fail(e)
		}
		next.Text, next.Entities, next.LinkPreviewOptions = plain, ents, lpo
		rawText = text
	case editCaption:
		if fileIDOf(&sm.msg) == "" {
			return fail(badRequest("there is no caption in the message to edit"))
		}
		caption := c.p.str("caption")
		pm = c.p.str("parse_mode")
		plain, ents, e := checkCaption(caption, pm, c.p.str("caption_entities"))
		if e != nil {
			return fail(e)
		}
		next.Caption, next.CaptionEntities = plain, ents
		rawText = caption
	}
	next.ReplyMarkup = mk.inline
	if next.Text == sm.msg.Text && next.Caption == sm.msg.Caption &&
		sameJSON(next.Entities, sm.msg.Entities) && sameJSON(next.CaptionEntities, sm.msg.CaptionEntities) &&
		sameMarkup(next.ReplyMarkup, sm.msg.ReplyMarkup) {
		return fail(errNotModified)
	}
	if wait := s.flood.takeLocked(ch.chat.ID, t); wait > 0 {
		return fail(tooManyRequests(wait))
	}
	next.EditDate = int(t.Unix())
	sm.msg, sm.rawText = next, rawText

	entry := Sent{
		Method: c.method, ChatID: ch.chat.ID, MessageID: next.ID, Text: rawText, ParseMode: pm,
		Buttons: mk.buttons, Edited: true, FileID: fileIDOf(&next), At: t, Params: c.p.clone(),
	}
	if next.IsTopicMessage {
		entry.ThreadID = next.MessageThreadID
	}
	entry = s.recordLocked(entry)
	s.mu.Unlock()
	s.fireSent(entry)
	return &next, nil
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// deleteMessage: chat_id, message_id. Any live message can be deleted (the
// bot is assumed to have the rights); see Deleted.
func deleteMessage(s *Server, c *call) (any, *apiError) {
	msgID, e := c.p.int("message_id")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, e := s.resolveChatLocked(c.p.str("chat_id"))
	if e != nil {
		return nil, e
	}
	sm := ch.message(msgID)
	if sm == nil {
		return nil, badRequest("message to delete not found")
	}
	sm.deleted = true
	s.deleted[ch.chat.ID] = append(s.deleted[ch.chat.ID], msgID)
	return true, nil
}
