package telegramtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// outgoing is what a send-like method delivers: the content of the message
// and the content fields of its Sent entry.
type outgoing struct {
	msg      models.Message
	rawText  string
	sent     Sent
	noMarkup bool // forwardMessage: reply_markup is ignored
}

func blockedError(ch *chatState) *apiError {
	if ch.private() {
		return forbidden("bot was blocked by the user")
	}
	return forbidden("bot was kicked from the supergroup chat")
}

// deliver is the common path of every method that creates a message:
// chat_id (400 chat not found), blocked (403), message_thread_id (400
// message thread not found / TOPIC_CLOSED), the method's own checks
// (build), reply_markup, reply_parameters, flood limits (429), then the
// message is stored, recorded as Sent and returned.
func (s *Server) deliver(c *call, build func(ch *chatState) (*outgoing, *apiError)) (*models.Message, *apiError) {
	threadID, e := c.p.int("message_thread_id")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	t := now()
	if id, err := strconv.ParseInt(strings.TrimSpace(c.p.str("chat_id")), 10, 64); err == nil {
		s.flood.noteAttemptLocked(id, t)
	}
	ch, e := s.resolveChatLocked(c.p.str("chat_id"))
	if e != nil {
		s.mu.Unlock()
		return nil, e
	}
	if ch.blocked {
		s.mu.Unlock()
		return nil, blockedError(ch)
	}
	thread, root, e := ch.thread(threadID)
	if e != nil {
		s.mu.Unlock()
		return nil, e
	}
	out, e := build(ch)
	if e != nil {
		s.mu.Unlock()
		return nil, e
	}
	var mk markup
	if !out.noMarkup {
		if mk, e = parseMarkup(c.p); e != nil {
			s.mu.Unlock()
			return nil, e
		}
	}
	replyTo, reply, e := s.replyLocked(c.p, ch)
	if e != nil {
		s.mu.Unlock()
		return nil, e
	}
	if reply != nil && thread == 0 && reply.IsTopicMessage {
		// A reply lands in the topic of the message it answers.
		thread, root, e = ch.thread(reply.MessageThreadID)
		if e != nil {
			s.mu.Unlock()
			return nil, e
		}
	}
	if wait := s.flood.takeLocked(ch.chat.ID, t); wait > 0 {
		s.mu.Unlock()
		return nil, tooManyRequests(wait)
	}

	bot := s.botUser()
	msg := out.msg
	msg.ID = ch.nextMessageID()
	msg.From = &bot
	msg.Chat = ch.chat
	msg.Date = int(t.Unix())
	msg.ReplyToMessage = reply
	if thread != 0 {
		msg.MessageThreadID, msg.IsTopicMessage = thread, true
		if msg.ReplyToMessage == nil {
			msg.ReplyToMessage = root
		}
	}
	msg.ReplyMarkup = mk.inline
	ch.msgs[msg.ID] = &storedMsg{msg: msg, fromBot: true, rawText: out.rawText}

	e2 := out.sent
	e2.Method, e2.ChatID, e2.ThreadID, e2.MessageID = c.method, ch.chat.ID, thread, msg.ID
	e2.Buttons, e2.ReplyKeyboard, e2.RemoveKeyboard = mk.buttons, mk.keyboard, mk.remove
	e2.ReplyToMessageID = replyTo
	e2.At, e2.Params = t, c.p.clone()
	e2 = s.recordLocked(e2)
	s.mu.Unlock()
	s.fireSent(e2)
	return &msg, nil
}

// thread checks a message_thread_id for a send into ch and returns the
// topic id the message goes to (0 for none or General) and the topic's
// creation message. Outside forums the parameter is ignored. A closed
// topic takes messages only from administrators with can_manage_topics,
// which the bot is in a forum group unless SetBotTopicRights took it away.
func (ch *chatState) thread(threadID int) (int, *models.Message, *apiError) {
	if threadID == 0 || !ch.chat.IsForum || threadID == generalTopicID {
		return 0, nil, nil
	}
	tp := ch.topics[threadID]
	if tp == nil || tp.deleted {
		return 0, nil, errThreadNotFound
	}
	if tp.closed && ch.noTopicRights { // admins with can_manage_topics still post
		return 0, nil, errTopicClosed
	}
	return threadID, tp.root, nil
}

// replyLocked reads reply_parameters (or the older reply_to_message_id and
// allow_sending_without_reply) and returns the requested message id and,
// when it is in ch, a copy of it for reply_to_message.
func (s *Server) replyLocked(p params, ch *chatState) (int, *models.Message, *apiError) {
	var rp struct {
		MessageID                int             `json:"message_id"`
		ChatID                   json.RawMessage `json:"chat_id"`
		AllowSendingWithoutReply bool            `json:"allow_sending_without_reply"`
	}
	present, e := p.json("reply_parameters", &rp)
	if e != nil {
		return 0, nil, e
	}
	if !present {
		id, e := p.int("reply_to_message_id")
		if e != nil {
			return 0, nil, e
		}
		allow, e := p.bool("allow_sending_without_reply")
		if e != nil {
			return 0, nil, e
		}
		rp.MessageID, rp.AllowSendingWithoutReply = id, allow
	}
	if rp.MessageID == 0 {
		return 0, nil, nil
	}
	target := ch
	if chatRef := strings.Trim(string(rp.ChatID), `" `); chatRef != "" && chatRef != strconv.FormatInt(ch.chat.ID, 10) {
		other, e := s.resolveChatLocked(chatRef)
		if e != nil {
			return 0, nil, e
		}
		target = other
	}
	orig := target.message(rp.MessageID)
	if orig == nil {
		if rp.AllowSendingWithoutReply {
			return rp.MessageID, nil, nil
		}
		return 0, nil, badRequest("message to be replied not found")
	}
	if target != ch {
		return rp.MessageID, nil, nil // replies across chats carry no reply_to_message here
	}
	cp := orig.msg
	cp.ReplyToMessage = nil
	return rp.MessageID, &cp, nil
}

// sendMessage: text (parse_mode, entities), link_preview_options,
// reply_markup, reply_parameters, message_thread_id.
func sendMessage(s *Server, c *call) (any, *apiError) {
	text, pm := c.p.str("text"), c.p.str("parse_mode")
	msg, e := s.deliver(c, func(*chatState) (*outgoing, *apiError) {
		plain, ents, e := checkMessageText(text, pm, c.p.str("entities"))
		if e != nil {
			return nil, e
		}
		var lpo *models.LinkPreviewOptions
		if _, e := c.p.json("link_preview_options", &lpo); e != nil {
			return nil, e
		}
		return &outgoing{
			msg:     models.Message{Text: plain, Entities: ents, LinkPreviewOptions: lpo},
			rawText: text,
			sent:    Sent{Text: text, ParseMode: pm},
		}, nil
	})
	if e != nil {
		return nil, e
	}
	return msg, nil
}

// sendMedia answers sendPhoto, sendDocument… for a file given by file_id
// (or URL); sendDocument also takes an upload (its content is then what
// File returns for the new file_id).
func sendMedia(field string) handler {
	return func(s *Server, c *call) (any, *apiError) {
		msg, e := s.deliver(c, func(*chatState) (*outgoing, *apiError) {
			id := strings.TrimSpace(c.p.str(field))
			up, uploaded := c.files[field]
			var name string
			switch {
			case uploaded && field == "document":
				// A new file: kept so that tests can read what was sent.
				if len(up.data) == 0 {
					return nil, badRequest("file must be non-empty")
				}
				sum := sha256.Sum256(up.data)
				id, name = "BQACAgQ-upload-"+hex.EncodeToString(sum[:8]), up.name
				s.files[id] = up.data
			case uploaded || strings.HasPrefix(id, "attach://"):
				return nil, badRequest("telegramtest accepts " + field + " as a file_id string only, not as an upload")
			}
			if id == "" {
				return nil, badRequest("there is no " + field + " in the request")
			}
			caption, pm := c.p.str("caption"), c.p.str("parse_mode")
			plain, ents, e := checkCaption(caption, pm, c.p.str("caption_entities"))
			if e != nil {
				return nil, e
			}
			msg := mediaMessage(field, id)
			msg.Caption, msg.CaptionEntities = plain, ents
			if msg.Document != nil && name != "" {
				msg.Document.FileName = name
			}
			return &outgoing{msg: msg, rawText: caption, sent: Sent{Text: caption, ParseMode: pm, FileID: id, FileName: name}}, nil
		})
		if e != nil {
			return nil, e
		}
		return msg, nil
	}
}

// fileUniqueID derives a stable file_unique_id from a file_id.
func fileUniqueID(fileID string) string {
	sum := sha256.Sum256([]byte(fileID))
	return "AgAD" + hex.EncodeToString(sum[:6])
}

// mediaMessage is a message carrying the file of the given kind.
func mediaMessage(kind, id string) models.Message {
	uid := fileUniqueID(id)
	var m models.Message
	switch kind {
	case "photo":
		m.Photo = []models.PhotoSize{
			{FileID: id, FileUniqueID: uid, Width: 90, Height: 68, FileSize: 1200},
			{FileID: id, FileUniqueID: uid, Width: 1280, Height: 960, FileSize: 120000},
		}
	case "document":
		m.Document = &models.Document{FileID: id, FileUniqueID: uid, FileName: "document", MimeType: "application/octet-stream", FileSize: 1000}
	case "voice":
		m.Voice = &models.Voice{FileID: id, FileUniqueID: uid, Duration: 3, MimeType: "audio/ogg", FileSize: 5000}
	case "video":
		m.Video = &models.Video{FileID: id, FileUniqueID: uid, Width: 640, Height: 360, Duration: 5, MimeType: "video/mp4", FileSize: 300000}
	case "audio":
		m.Audio = &models.Audio{FileID: id, FileUniqueID: uid, Duration: 60, MimeType: "audio/mpeg", FileSize: 900000}
	case "animation":
		m.Animation = &models.Animation{FileID: id, FileUniqueID: uid, Width: 320, Height: 240, Duration: 2, MimeType: "video/mp4"}
		m.Document = &models.Document{FileID: id, FileUniqueID: uid, MimeType: "video/mp4"}
	case "sticker":
		m.Sticker = &models.Sticker{FileID: id, FileUniqueID: uid, Type: "regular", Width: 512, Height: 512}
	case "video_note":
		m.VideoNote = &models.VideoNote{FileID: id, FileUniqueID: uid, Length: 240, Duration: 5}
	}
	return m
}

// fileIDOf returns the file of a media message ("" when none).
func fileIDOf(m *models.Message) string {
	switch {
	case len(m.Photo) > 0:
		return m.Photo[len(m.Photo)-1].FileID
	case m.Animation != nil:
		return m.Animation.FileID
	case m.Document != nil:
		return m.Document.FileID
	case m.Voice != nil:
		return m.Voice.FileID
	case m.Video != nil:
		return m.Video.FileID
	case m.Audio != nil:
		return m.Audio.FileID
	case m.Sticker != nil:
		return m.Sticker.FileID
	case m.VideoNote != nil:
		return m.VideoNote.FileID
	}
	return ""
}

func latLon(p params) (float64, float64, *apiError) {
	if !p.has("latitude") || !p.has("longitude") {
		return 0, 0, badRequest("wrong latitude or longitude specified")
	}
	lat, e := p.float("latitude")
	if e != nil {
		return 0, 0, e
	}
	lon, e := p.float("longitude")
	if e != nil {
		return 0, 0, e
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, badRequest("wrong latitude or longitude specified")
	}
	return lat, lon, nil
}

// sendLocation: latitude, longitude (in range), horizontal_accuracy,
// live_period, heading.
func sendLocation(s *Server, c *call) (any, *apiError) {
	msg, e := s.deliver(c, func(*chatState) (*outgoing, *apiError) {
		lat, lon, e := latLon(c.p)
		if e != nil {
			return nil, e
		}
		acc, e := c.p.float("horizontal_accuracy")
		if e != nil {
			return nil, e
		}
		live, e := c.p.int("live_period")
		if e != nil {
			return nil, e
		}
		loc := &models.Location{Latitude: lat, Longitude: lon, HorizontalAccuracy: acc, LivePeriod: live}
		return &outgoing{msg: models.Message{Location: loc}, sent: Sent{Latitude: lat, Longitude: lon}}, nil
	})
	if e != nil {
		return nil, e
	}
	return msg, nil
}

// sendVenue: latitude, longitude, title, address (all required).
func sendVenue(s *Server, c *call) (any, *apiError) {
	msg, e := s.deliver(c, func(*chatState) (*outgoing, *apiError) {
		lat, lon, e := latLon(c.p)
		if e != nil {
			return nil, e
		}
		title, addr := c.p.str("title"), c.p.str("address")
		if strings.TrimSpace(title) == "" {
			return nil, badRequest("venue title is empty")
		}
		if strings.TrimSpace(addr) == "" {
			return nil, badRequest("venue address is empty")
		}
		loc := models.Location{Latitude: lat, Longitude: lon}
		v := &models.Venue{Location: loc, Title: title, Address: addr,
			FoursquareID: c.p.str("foursquare_id"), FoursquareType: c.p.str("foursquare_type"),
			GooglePlaceID: c.p.str("google_place_id"), GooglePlaceType: c.p.str("google_place_type")}
		return &outgoing{
			msg:  models.Message{Venue: v, Location: &loc},
			sent: Sent{Latitude: lat, Longitude: lon, Title: title, Address: addr},
		}, nil
	})
	if e != nil {
		return nil, e
	}
	return msg, nil
}

// sendContact: phone_number and first_name required, last_name, vcard.
func sendContact(s *Server, c *call) (any, *apiError) {
	msg, e := s.deliver(c, func(*chatState) (*outgoing, *apiError) {
		phone, first := c.p.str("phone_number"), c.p.str("first_name")
		if strings.TrimSpace(phone) == "" {
			return nil, badRequest("contact phone number is empty")
		}
		if strings.TrimSpace(first) == "" {
			return nil, badRequest("contact first name is empty")
		}
		ct := &models.Contact{PhoneNumber: phone, FirstName: first, LastName: c.p.str("last_name"), VCard: c.p.str("vcard")}
		return &outgoing{msg: models.Message{Contact: ct}, sent: Sent{PhoneNumber: phone}}, nil
	})
	if e != nil {
		return nil, e
	}
	return msg, nil
}

// contentOf keeps what copyMessage and forwardMessage carry over.
func contentOf(m models.Message) models.Message {
	return models.Message{
		Text: m.Text, Entities: m.Entities, LinkPreviewOptions: m.LinkPreviewOptions,
		Animation: m.Animation, Audio: m.Audio, Document: m.Document, Photo: m.Photo,
		Sticker: m.Sticker, Video: m.Video, VideoNote: m.VideoNote, Voice: m.Voice,
		Caption: m.Caption, CaptionEntities: m.CaptionEntities, HasMediaSpoiler: m.HasMediaSpoiler,
		Contact: m.Contact, Dice: m.Dice, Game: m.Game, Poll: m.Poll, Venue: m.Venue, Location: m.Location,
	}
}

// sentContent fills the content fields of a Sent entry from a message.
func sentContent(m *models.Message) Sent {
	e := Sent{Text: m.Text, FileID: fileIDOf(m)}
	if e.Text == "" {
		e.Text = m.Caption
	}
	if m.Location != nil {
		e.Latitude, e.Longitude = m.Location.Latitude, m.Location.Longitude
	}
	if m.Venue != nil {
		e.Latitude, e.Longitude = m.Venue.Location.Latitude, m.Venue.Location.Longitude
		e.Title, e.Address = m.Venue.Title, m.Venue.Address
	}
	if m.Contact != nil {
		e.PhoneNumber = m.Contact.PhoneNumber
	}
	return e
}

// sourceLocked finds the message named by from_chat_id and message_id.
func (s *Server) sourceLocked(c *call, verb, done string) (*chatState, *storedMsg, *apiError) {
	src, e := s.resolveChatLocked(c.p.str("from_chat_id"))
	if e != nil {
		return nil, nil, e
	}
	id, e := c.p.int("message_id")
	if e != nil {
		return nil, nil, e
	}
	orig := src.message(id)
	if orig == nil {
		return nil, nil, badRequest("message to " + verb + " not found")
	}
	content := contentOf(orig.msg)
	if orig.service || (content.Text == "" && fileIDOf(&content) == "" && content.Contact == nil &&
		content.Location == nil && content.Poll == nil && content.Dice == nil && content.Game == nil) {
		return nil, nil, badRequest("message can't be " + done)
	}
	return src, orig, nil
}

// copyMessage: from_chat_id, message_id, chat_id, message_thread_id,
// caption (replaces the caption of media), parse_mode, reply_markup.
// Answers {"message_id": N}.
func copyMessage(s *Server, c *call) (any, *apiError) {
	msg, e := s.deliver(c, func(*chatState) (*outgoing, *apiError) {
		src, orig, e := s.sourceLocked(c, "copy", "copied")
		if e != nil {
			return nil, e
		}
		content := contentOf(orig.msg)
		rawText := orig.rawText
		if rawText == "" {
			rawText = content.Text + content.Caption
		}
		sent := sentContent(&content)
		if c.p.has("caption") && content.Text == "" {
			caption, pm := c.p.str("caption"), c.p.str("parse_mode")
			plain, ents, e := checkCaption(caption, pm, c.p.str("caption_entities"))
			if e != nil {
				return nil, e
			}
			content.Caption, content.CaptionEntities = plain, ents
			rawText, sent.Text, sent.ParseMode = caption, caption, pm
		}
		sent.CopyOfChatID, sent.CopyOfMessageID = src.chat.ID, orig.msg.ID
		return &outgoing{msg: content, rawText: rawText, sent: sent}, nil
	})
	if e != nil {
		return nil, e
	}
	return &models.MessageID{ID: msg.ID}, nil
}

// forwardMessage: from_chat_id, message_id, chat_id, message_thread_id.
// The forward carries forward_origin (the original sender).
func forwardMessage(s *Server, c *call) (any, *apiError) {
	msg, e := s.deliver(c, func(*chatState) (*outgoing, *apiError) {
		src, orig, e := s.sourceLocked(c, "forward", "forwarded")
		if e != nil {
			return nil, e
		}
		content := contentOf(orig.msg)
		switch {
		case orig.msg.From != nil && src.chat.Type != models.ChatTypeChannel:
			content.ForwardOrigin = &models.MessageOrigin{Type: models.MessageOriginTypeUser,
				MessageOriginUser: &models.MessageOriginUser{Date: orig.msg.Date, SenderUser: *orig.msg.From}}
		case src.chat.Type == models.ChatTypeChannel:
			content.ForwardOrigin = &models.MessageOrigin{Type: models.MessageOriginTypeChannel,
				MessageOriginChannel: &models.MessageOriginChannel{Date: orig.msg.Date, Chat: src.chat, MessageID: orig.msg.ID}}
		default:
			content.ForwardOrigin = &models.MessageOrigin{Type: models.MessageOriginTypeChat,
				MessageOriginChat: &models.MessageOriginChat{Date: orig.msg.Date, SenderChat: src.chat}}
		}
		sent := sentContent(&content)
		sent.CopyOfChatID, sent.CopyOfMessageID = src.chat.ID, orig.msg.ID
		return &outgoing{msg: content, rawText: orig.rawText, sent: sent, noMarkup: true}, nil
	})
	if e != nil {
		return nil, e
	}
	return msg, nil
}
