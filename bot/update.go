package bot

import (
	"encoding/json"
	"fmt"

	"github.com/go-telegram/bot/models"

	"github.com/prils-lazio/presidio/internal/chat"
)

// laneOf returns the ordering key of an update: the private chat, or the
// forum topic of a group, it belongs to. A button pressed under a message
// the bot can no longer read (old or deleted: Telegram sends an
// InaccessibleMessage) belongs to that message's chat, and a button with no
// message at all to the presser's private chat: a person's update never
// lands in a lane, or a session, shared with anyone else. Updates with no
// chat and no person share the lane "other" and are ignored.
func laneOf(u *models.Update) (lane string, chatID int64) {
	msg := messageOf(u)
	switch {
	case msg != nil:
		return laneKey(msg.Chat.ID, threadOf(msg)), msg.Chat.ID
	case u.CallbackQuery != nil:
		id := callbackChat(u.CallbackQuery)
		return laneKey(id, 0), id
	case u.MyChatMember != nil:
		return laneKey(u.MyChatMember.Chat.ID, 0), u.MyChatMember.Chat.ID
	case u.ChatMember != nil:
		return laneKey(u.ChatMember.Chat.ID, 0), u.ChatMember.Chat.ID
	}
	return "other", 0
}

// LaneKey names the lane of a chat, or of a topic in a forum group.
func laneKey(chatID int64, threadID int) string {
	if threadID != 0 {
		return fmt.Sprintf("%d/%d", chatID, threadID)
	}
	return fmt.Sprintf("%d", chatID)
}

// callbackChat is the chat a button was pressed in when its message is not
// readable: the inaccessible message's chat, else the presser's private chat
// (whose id is the person's id).
func callbackChat(q *models.CallbackQuery) int64 {
	if m := q.Message.Message; m != nil {
		return m.Chat.ID
	}
	if im := q.Message.InaccessibleMessage; im != nil && im.Chat.ID != 0 {
		return im.Chat.ID
	}
	return q.From.ID
}

func messageOf(u *models.Update) *models.Message {
	switch {
	case u.Message != nil:
		return u.Message
	case u.EditedMessage != nil:
		return u.EditedMessage
	case u.ChannelPost != nil:
		return u.ChannelPost
	case u.EditedChannelPost != nil:
		return u.EditedChannelPost
	case u.CallbackQuery != nil && u.CallbackQuery.Message.Message != nil:
		return u.CallbackQuery.Message.Message
	}
	return nil
}

func threadOf(m *models.Message) int {
	if m.IsTopicMessage {
		return m.MessageThreadID
	}
	return 0
}

// parseUpdate turns a raw Bot API update into what flows see. It never fails
// on a well-formed update of an unknown kind: those become KindIgnored.
func parseUpdate(raw []byte) (chat.Incoming, error) {
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return chat.Incoming{}, fmt.Errorf("decoding update: %w", err)
	}
	in := chat.Incoming{UpdateID: u.ID, Kind: chat.KindIgnored}
	switch {
	case u.Message != nil:
		fillFromMessage(&in, u.Message)
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		in.Kind = chat.KindButton
		in.Data = q.Data
		in.CallbackID = q.ID
		in.From = person(&q.From)
		if m := q.Message.Message; m != nil {
			in.ChatID, in.ThreadID, in.MessageID = m.Chat.ID, threadOf(m), m.ID
			in.Private = m.Chat.Type == models.ChatTypePrivate
		} else {
			in.ChatID = callbackChat(q)
			if im := q.Message.InaccessibleMessage; im != nil {
				in.MessageID = im.MessageID
			}
			in.Private = in.ChatID > 0
		}
	case u.EditedMessage != nil && u.EditedMessage.Text != "":
		fillFromMessage(&in, u.EditedMessage)
		in.Kind = chat.KindEdited
	case u.MyChatMember != nil:
		cm := u.MyChatMember
		in.ChatID, in.From = cm.Chat.ID, person(&cm.From)
		in.Private = cm.Chat.Type == models.ChatTypePrivate
		if in.Private {
			switch cm.NewChatMember.Type {
			case models.ChatMemberTypeBanned, models.ChatMemberTypeLeft:
				in.Kind = chat.KindBlocked
			case models.ChatMemberTypeMember:
				in.Kind = chat.KindUnblocked
			}
		}
	default:
		// Edited messages, channel posts, polls, inline queries, reactions…
		if m := messageOf(&u); m != nil {
			in.ChatID, in.ThreadID = m.Chat.ID, threadOf(m)
			in.Private = m.Chat.Type == models.ChatTypePrivate
		}
	}
	return in, nil
}

func fillFromMessage(in *chat.Incoming, m *models.Message) {
	in.ChatID, in.ThreadID, in.MessageID = m.Chat.ID, threadOf(m), m.ID
	in.Private = m.Chat.Type == models.ChatTypePrivate
	if m.From != nil {
		in.From = person(m.From)
	}
	in.Text, in.Entities = m.Caption, entities(m.CaptionEntities)
	switch {
	case m.Text != "":
		in.Kind, in.Text, in.Entities = chat.KindText, m.Text, entities(m.Entities)
	case m.Contact != nil:
		in.Kind, in.Contact = chat.KindContact, m.Contact.PhoneNumber
	case m.Venue != nil:
		in.Kind = chat.KindLocation
		in.Location = &chat.Location{Latitude: m.Venue.Location.Latitude, Longitude: m.Venue.Location.Longitude}
	case m.Location != nil:
		in.Kind = chat.KindLocation
		in.Location = &chat.Location{Latitude: m.Location.Latitude, Longitude: m.Location.Longitude}
	case len(m.Photo) > 0:
		in.Kind, in.MediaType, in.FileID = chat.KindMedia, "photo", m.Photo[len(m.Photo)-1].FileID
	case m.Voice != nil:
		in.Kind, in.MediaType, in.FileID = chat.KindMedia, "voice", m.Voice.FileID
	case m.Document != nil:
		in.Kind, in.MediaType, in.FileID = chat.KindMedia, "document", m.Document.FileID
	case m.Video != nil:
		in.Kind, in.MediaType, in.FileID = chat.KindMedia, "video", m.Video.FileID
	case m.Audio != nil:
		in.Kind, in.MediaType, in.FileID = chat.KindMedia, "audio", m.Audio.FileID
	case m.VideoNote != nil:
		in.Kind, in.MediaType, in.FileID = chat.KindMedia, "video_note", m.VideoNote.FileID
	case m.NewChatMembers != nil || m.LeftChatMember != nil || m.ForumTopicCreated != nil ||
		m.ForumTopicClosed != nil || m.ForumTopicReopened != nil || m.ForumTopicEdited != nil ||
		m.PinnedMessage != nil || m.NewChatTitle != "" || m.GroupChatCreated:
		in.Kind = chat.KindIgnored // service messages
	default:
		in.Kind = chat.KindUnsupported // sticker, poll, dice, game, story…
	}
}

// entities keeps a text's formatting, so a relayed text can be sent as
// text (bot/coalesce.go) without losing it.
func entities(es []models.MessageEntity) []chat.Entity {
	var out []chat.Entity
	for _, e := range es {
		ce := chat.Entity{Type: string(e.Type), Offset: e.Offset, Length: e.Length, URL: e.URL, Language: e.Language, CustomEmojiID: e.CustomEmojiID}
		if e.User != nil {
			ce.UserID = e.User.ID
		}
		out = append(out, ce)
	}
	return out
}

func person(u *models.User) chat.Person {
	return chat.Person{ID: u.ID, FirstName: u.FirstName, LanguageCode: u.LanguageCode}
}
