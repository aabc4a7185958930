package telegramtest

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

func TestFloodPrivateChatBucket(t *testing.T) {
	s := newServer(t, Options{FloodLimits: true})
	s.AddUser(alice)
	b := newClient(t, s)
	ctx := ctxT(t, 10*time.Second)
	send := func() error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "x"})
		return err
	}
	for i := 0; i < 3; i++ {
		if err := send(); err != nil {
			t.Fatalf("burst send %d: %v", i, err)
		}
	}
	err := send()
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 {
		t.Fatalf("4th send: %v, want 429 retry_after 1", err)
	}
	if n := len(s.Sent(alice.ID)); n != 3 {
		t.Fatalf("delivered %d, want 3 (a 429 is not delivered)", n)
	}
	if s.TooManyRequests() != 1 || s.EarlyRetries() != 0 {
		t.Fatalf("TooManyRequests %d EarlyRetries %d", s.TooManyRequests(), s.EarlyRetries())
	}
	// Retrying at once is early (and refused again).
	if err := send(); !bot.IsTooManyRequestsError(err) {
		t.Fatalf("early retry: %v", err)
	}
	if s.EarlyRetries() != 1 || s.TooManyRequests() != 2 {
		t.Fatalf("after early retry: EarlyRetries %d TooManyRequests %d", s.EarlyRetries(), s.TooManyRequests())
	}
	// Other chats are not limited by Alice's bucket.
	s.AddUser(bob)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: bob.ID, Text: "y"}); err != nil {
		t.Fatalf("other chat: %v", err)
	}
	// Waiting as told works, and is not early.
	time.Sleep(time.Duration(tooMany.RetryAfter)*time.Second + 20*time.Millisecond)
	if err := send(); err != nil {
		t.Fatalf("after waiting retry_after: %v", err)
	}
	if s.EarlyRetries() != 1 {
		t.Fatalf("a retry after retry_after counted as early: %d", s.EarlyRetries())
	}
	// Turning limits off at run time.
	s.SetFloodLimits(false)
	for i := 0; i < 5; i++ {
		if err := send(); err != nil {
			t.Fatalf("limits off: %v", err)
		}
	}
}

func TestFloodGroupPerMinute(t *testing.T) {
	s := newServer(t, Options{FloodLimits: true})
	s.CreateForumGroup(opsGroup, "Operatori")
	for i := 0; i < 20; i++ {
		if st, _, raw := postJSON(t, s, "sendMessage", map[string]any{"chat_id": opsGroup, "text": "x"}); st != 200 {
			t.Fatalf("send %d: %s", i, raw)
		}
	}
	st, env, raw := postJSON(t, s, "sendMessage", map[string]any{"chat_id": opsGroup, "text": "x"})
	if st != 429 || env.ErrorCode != 429 || env.Parameters == nil || env.Parameters.RetryAfter < 59 || env.Parameters.RetryAfter > 60 {
		t.Fatalf("21st group send: %d %s", st, raw)
	}
	if env.Description != "Too Many Requests: retry after "+strconv.Itoa(env.Parameters.RetryAfter) {
		t.Fatalf("description = %q", env.Description)
	}
	// Edits count too.
	if st, _, _ := postJSON(t, s, "editMessageText", map[string]any{"chat_id": opsGroup, "message_id": 2, "text": "y"}); st != 429 {
		t.Fatalf("edit over the group limit: %d", st)
	}
	if s.EarlyRetries() != 1 {
		t.Fatalf("EarlyRetries = %d", s.EarlyRetries())
	}
}

func TestFloodGlobalPerSecond(t *testing.T) {
	s := newServer(t, Options{})
	s.SetFloodLimits(true)
	var refused int
	for i := 0; i < 31; i++ {
		u := User{ID: int64(5000 + i), FirstName: "U"}
		s.AddUser(u)
		st, env, _ := postJSON(t, s, "sendMessage", map[string]any{"chat_id": u.ID, "text": "x"})
		if st == 429 {
			refused++
			if env.Parameters == nil || env.Parameters.RetryAfter != 1 {
				t.Fatalf("retry_after = %+v", env.Parameters)
			}
		}
	}
	if refused != 1 || len(s.AllSent()) != 30 {
		t.Fatalf("refused %d, delivered %d; want 1 and 30", refused, len(s.AllSent()))
	}
}
