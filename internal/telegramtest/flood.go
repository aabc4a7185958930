package telegramtest

import (
	"math"
	"time"
)

// Telegram's sending limits as the emulator enforces them.
const (
	globalPerSecond = 30          // sends per second, all chats together
	privateBurst    = 3.0         // token bucket size of a private chat
	privateRefill   = time.Second // one token per second
	groupPerMinute  = 20          // sends per minute to one group
)

// floodState tracks the sending limits. Guarded by Server.mu.
type floodState struct {
	enabled    bool
	global     []time.Time // send times within the last second
	private    map[int64]*bucket
	group      map[int64][]time.Time // send times within the last minute
	retryUntil map[int64]time.Time   // per chat: end of the last retry_after given
	tooMany    int
	early      int
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newFloodState(enabled bool) floodState {
	return floodState{
		enabled:    enabled,
		private:    map[int64]*bucket{},
		group:      map[int64][]time.Time{},
		retryUntil: map[int64]time.Time{},
	}
}

// SetFloodLimits turns Telegram's sending limits on or off at run time. When
// on, send-like methods (sendMessage, the other send* methods except
// sendChatAction, copyMessage, forwardMessage, editMessage*) are limited to
// 30 per second over all chats, to a burst of 3 then 1 per second per
// private chat (token bucket), and to 20 per minute per group (chat id < 0).
// A send over a limit is not delivered and answers 429 "Too Many Requests:
// retry after N" with parameters.retry_after = N whole seconds (≥ 1), the
// time until the send would have been accepted, rounded up.
func (s *Server) SetFloodLimits(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flood.enabled = on
}

// TooManyRequests counts the 429 answers given so far (flood limits and
// FailNext with status 429).
func (s *Server) TooManyRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flood.tooMany
}

// EarlyRetries counts send-like requests for a chat that arrived before the
// end of the last retry_after the emulator gave for that chat: the client
// did not wait as told. Counted whether or not the request then succeeds.
func (s *Server) EarlyRetries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flood.early
}

// noteAttemptLocked counts an early retry for chatID. The caller holds s.mu.
func (f *floodState) noteAttemptLocked(chatID int64, t time.Time) {
	if until, ok := f.retryUntil[chatID]; ok && t.Before(until) {
		f.early++
	}
}

// takeLocked charges one send to chatID at time t. It returns 0 when the
// send is allowed (and counted), or the retry_after in seconds when it is
// not (nothing counted). The caller holds s.mu.
func (f *floodState) takeLocked(chatID int64, t time.Time) int {
	if !f.enabled {
		return 0
	}
	var wait time.Duration

	// Global: sliding window of one second.
	cut := 0
	for cut < len(f.global) && t.Sub(f.global[cut]) >= time.Second {
		cut++
	}
	f.global = f.global[cut:]
	if len(f.global) >= globalPerSecond {
		wait = max(wait, f.global[len(f.global)-globalPerSecond].Add(time.Second).Sub(t))
	}

	var b *bucket
	var times []time.Time
	if chatID > 0 {
		b = f.private[chatID]
		if b == nil {
			b = &bucket{tokens: privateBurst, last: t}
			f.private[chatID] = b
		}
		if el := t.Sub(b.last); el > 0 {
			b.tokens = math.Min(privateBurst, b.tokens+float64(el)/float64(privateRefill))
			b.last = t
		}
		if b.tokens < 1 {
			wait = max(wait, time.Duration((1-b.tokens)*float64(privateRefill)))
		}
	} else {
		times = f.group[chatID]
		cut := 0
		for cut < len(times) && t.Sub(times[cut]) >= time.Minute {
			cut++
		}
		times = times[cut:]
		f.group[chatID] = times
		if len(times) >= groupPerMinute {
			wait = max(wait, times[len(times)-groupPerMinute].Add(time.Minute).Sub(t))
		}
	}

	if wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		if secs < 1 {
			secs = 1
		}
		f.retryUntil[chatID] = t.Add(time.Duration(secs) * time.Second)
		return secs
	}
	f.global = append(f.global, t)
	if b != nil {
		b.tokens--
	} else {
		f.group[chatID] = append(times, t)
	}
	return 0
}
