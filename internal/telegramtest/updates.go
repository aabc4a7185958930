package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/go-telegram/bot/models"
)

// queuedUpdate is an update waiting to be confirmed, kept as JSON so that
// what the bot receives is fixed when it is queued.
type queuedUpdate struct {
	id   int64
	kind string // "message", "callback_query"…
	raw  json.RawMessage
}

// enqueueLocked queues upd, assigning its update_id when zero, and wakes
// long polls and the webhook sender. The caller holds s.mu.
func (s *Server) enqueueLocked(upd *models.Update) int64 {
	if upd.ID == 0 {
		upd.ID = s.nextUpdateID
	}
	raw, err := json.Marshal(upd)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: cannot encode update: %v", err))
	}
	return s.enqueueRawLocked(upd.ID, raw)
}

func (s *Server) enqueueRawLocked(id int64, raw []byte) int64 {
	if id >= s.nextUpdateID {
		s.nextUpdateID = id + 1
	}
	s.updates = append(s.updates, queuedUpdate{id: id, kind: updateKind(raw), raw: raw})
	broadcast(&s.updCh)
	return id
}

// updateKind is the first field of an update other than update_id.
func updateKind(raw []byte) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return ""
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if k != "update_id" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// Inject queues any update (edited_message, channel_post, my_chat_member,
// poll…) as is. A zero update_id is replaced by the next one; a non-zero id
// is kept (injecting an id again emulates a duplicate delivery) and later
// ids continue after the largest seen. It returns the update_id.
//
// As in Telegram, whatever the update shows exists: its chats and senders
// become known (so the bot can answer them) and the message it carries is
// stored with its message_id, later ids of that chat continuing after it.
func (s *Server) Inject(upd models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.learnLocked(&upd)
	return s.enqueueLocked(&upd)
}

// InjectRaw queues an update given as JSON, byte for byte except for a
// missing or zero update_id, which is set as Inject does; chats, senders and
// messages it shows become known as with Inject (as far as the models types
// can decode it). It returns the update_id, or an error if raw is not a
// JSON object.
func (s *Server) InjectRaw(raw []byte) (int64, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return 0, fmt.Errorf("telegramtest: update is not a JSON object: %w", err)
	}
	var id int64
	if v, ok := obj["update_id"]; ok {
		if err := json.Unmarshal(v, &id); err != nil {
			return 0, fmt.Errorf("telegramtest: bad update_id: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var decoded models.Update
	if json.Unmarshal(raw, &decoded) == nil {
		s.learnLocked(&decoded)
	}
	if id == 0 {
		id = s.nextUpdateID
		obj["update_id"] = json.RawMessage(fmt.Sprint(id))
		var err error
		if raw, err = json.Marshal(obj); err != nil {
			return 0, err
		}
	} else {
		raw = bytes.Clone(raw)
	}
	return s.enqueueRawLocked(id, raw), nil
}

// PendingUpdates counts queued updates not yet confirmed (by a getUpdates
// offset, or by a successful webhook delivery).
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// SetNextUpdateID makes the next queued update get this id, as Telegram
// does after a week without updates (it then picks the next id at random,
// possibly lower than every id the bot has seen), and as an emulator that
// starts afresh does.
func (s *Server) SetNextUpdateID(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpdateID = id
}

// LastUpdateID is the largest update_id handed out so far (0 when none).
func (s *Server) LastUpdateID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextUpdateID - 1
}

// allowedLocked reports whether an update kind passes the allowed_updates
// filter (set by getUpdates or setWebhook). No filter lets everything
// through, unlike Telegram whose default excludes chat_member and
// reactions.
func (s *Server) allowedLocked(kind string) bool {
	return len(s.allowed) == 0 || s.allowed[kind]
}

// setAllowedLocked replaces the allowed_updates filter when the parameter
// was sent.
func (s *Server) setAllowedLocked(c *call) *apiError {
	var list []string
	present, e := c.p.json("allowed_updates", &list)
	if e != nil || !present {
		return e
	}
	s.allowed = map[string]bool{}
	for _, k := range list {
		s.allowed[k] = true
	}
	return nil
}

// dropFilteredLocked removes updates the filter excludes: Telegram never
// delivers them. The caller holds s.mu.
func (s *Server) dropFilteredLocked() {
	if len(s.allowed) == 0 {
		return
	}
	kept := s.updates[:0]
	for _, u := range s.updates {
		if s.allowedLocked(u.kind) {
			kept = append(kept, u)
		}
	}
	s.updates = kept
}

var errWebhookActive = &apiError{code: http.StatusConflict,
	desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}

var errOtherPoll = &apiError{code: http.StatusConflict,
	desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}

// getUpdates: offset confirms (drops) every update with a smaller id (a
// negative offset keeps the last -offset updates); limit 1..100 (default
// 100); timeout is the long poll in seconds: the call returns as soon as an
// update is available, or [] when the timeout passes or the client gives
// up. A newer getUpdates ends a waiting one with 409, as in Telegram.
func getUpdates(s *Server, c *call) (any, *apiError) {
	offset, e := c.p.int64("offset")
	if e != nil {
		return nil, e
	}
	limit, e := c.p.int("limit")
	if e != nil {
		return nil, e
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, e := c.p.int("timeout")
	if e != nil {
		return nil, e
	}
	deadline := time.Now().Add(time.Duration(max(timeout, 0)) * time.Second)

	s.mu.Lock()
	if s.webhook.url != "" {
		s.mu.Unlock()
		return nil, errWebhookActive
	}
	if e := s.setAllowedLocked(c); e != nil {
		s.mu.Unlock()
		return nil, e
	}
	s.pollGen++
	gen := s.pollGen
	broadcast(&s.updCh) // wakes an older poll so it can give way
	s.mu.Unlock()

	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		s.mu.Lock()
		if s.pollGen != gen {
			s.mu.Unlock()
			return nil, errOtherPoll
		}
		if s.webhook.url != "" {
			s.mu.Unlock()
			return nil, errWebhookActive
		}
		s.confirmLocked(offset)
		s.dropFilteredLocked()
		batch := s.batchLocked(offset, limit)
		if len(batch) > 0 || !time.Now().Before(deadline) {
			s.mu.Unlock()
			return batch, nil
		}
		ch := s.updCh
		s.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(time.Until(deadline))
		}
		select {
		case <-ch:
		case <-timer.C:
		case <-c.ctx.Done():
			return []json.RawMessage{}, nil
		case <-s.done:
			return []json.RawMessage{}, nil
		}
	}
}

// confirmLocked drops the updates an offset confirms. The caller holds s.mu.
func (s *Server) confirmLocked(offset int64) {
	if offset == 0 {
		return
	}
	kept := s.updates[:0]
	if offset < 0 {
		keep := int(-offset)
		if len(s.updates) > keep {
			s.updates = append(kept, s.updates[len(s.updates)-keep:]...)
		}
		return
	}
	for _, u := range s.updates {
		if u.id >= offset {
			kept = append(kept, u)
		}
	}
	s.updates = kept
}

// batchLocked returns up to limit updates with id ≥ offset, in queue order.
func (s *Server) batchLocked(offset int64, limit int) []json.RawMessage {
	out := []json.RawMessage{}
	for _, u := range s.updates {
		if offset > 0 && u.id < offset {
			continue
		}
		out = append(out, u.raw)
		if len(out) == limit {
			break
		}
	}
	return out
}

// learnLocked registers the chats, people and messages an injected update
// shows. The caller holds s.mu.
func (s *Server) learnLocked(u *models.Update) {
	for _, m := range []*models.Message{u.Message, u.ChannelPost, u.BusinessMessage} {
		s.learnMessageLocked(m, true)
	}
	for _, m := range []*models.Message{u.EditedMessage, u.EditedChannelPost, u.EditedBusinessMessage} {
		s.learnMessageLocked(m, false)
	}
	if q := u.CallbackQuery; q != nil {
		s.learnUserLocked(&q.From)
		s.learnMessageLocked(q.Message.Message, false)
	}
	for _, cm := range []*models.ChatMemberUpdated{u.MyChatMember, u.ChatMember} {
		if cm != nil {
			s.learnChatLocked(cm.Chat)
			s.learnUserLocked(&cm.From)
		}
	}
	if jr := u.ChatJoinRequest; jr != nil {
		s.learnChatLocked(jr.Chat)
		s.learnUserLocked(&jr.From)
	}
}

func (s *Server) learnMessageLocked(m *models.Message, isNew bool) {
	if m == nil {
		return
	}
	ch := s.learnChatLocked(m.Chat)
	s.learnUserLocked(m.From)
	if ch == nil || m.ID <= 0 {
		return
	}
	if m.ID > ch.lastID {
		ch.lastID = m.ID
	}
	if sm := ch.msgs[m.ID]; sm == nil && isNew {
		ch.msgs[m.ID] = &storedMsg{msg: *m, fromBot: m.From != nil && m.From.ID == s.botID}
	}
}

// learnChatLocked registers c when unknown (a chat without a type is
// private for positive ids, a supergroup otherwise).
func (s *Server) learnChatLocked(c models.Chat) *chatState {
	if c.ID == 0 {
		return nil
	}
	if ch := s.chats[c.ID]; ch != nil {
		return ch
	}
	if c.Type == "" {
		c.Type = models.ChatTypePrivate
		if c.ID < 0 {
			c.Type = models.ChatTypeSupergroup
		}
	}
	ch := newChatState(c)
	if c.Type == models.ChatTypePrivate {
		if u, ok := s.users[c.ID]; ok && ch.chat.FirstName == "" {
			ch.chat.FirstName, ch.chat.LastName, ch.chat.Username = u.FirstName, u.LastName, u.Username
		}
	}
	s.chats[c.ID] = ch
	return ch
}

func (s *Server) learnUserLocked(u *models.User) {
	if u == nil || u.ID == 0 || u.IsBot {
		return
	}
	if _, ok := s.users[u.ID]; !ok {
		s.users[u.ID] = User{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
	}
}
