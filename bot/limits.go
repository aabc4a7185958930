package bot

import (
	"time"

	"golang.org/x/time/rate"
)

// Limits are the send rates the sender keeps to. Telegram documents about
// 30 messages per second in all, about one per second in one chat (short
// bursts are tolerated) and 20 per minute in one group. A zero rate means
// no limit (for benchmarks against the emulator).
type Limits struct {
	// Global is messages per second across all chats.
	Global float64
	// PerChat is messages per second in one private chat, with bursts of
	// PerChatBurst.
	PerChat      float64
	PerChatBurst int
	// PerGroupPerMinute is messages per minute in one group, with bursts of
	// PerGroupBurst.
	PerGroupPerMinute float64
	PerGroupBurst     int
}

// TelegramLimits stay under Telegram's limits in any window, with a margin
// for the time a request takes to reach Telegram: the global bucket holds
// one token, so no second sees more than 30 sends; a chat refills a little
// slower than once a second; a group's burst plus a minute's refill stay
// under 20.
var TelegramLimits = Limits{
	Global:            29,
	PerChat:           0.9,
	PerChatBurst:      3,
	PerGroupPerMinute: 16,
	PerGroupBurst:     3,
}

func (l Limits) global() *rate.Limiter {
	if l.Global <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(l.Global), 1)
}

// forChat returns the limiter of one chat (groups have negative ids), or
// nil when unlimited.
func (l Limits) forChat(chatID int64) *rate.Limiter {
	if chatID < 0 {
		if l.PerGroupPerMinute <= 0 {
			return nil
		}
		return rate.NewLimiter(rate.Limit(l.PerGroupPerMinute/60), max(1, l.PerGroupBurst))
	}
	if l.PerChat <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(l.PerChat), max(1, l.PerChatBurst))
}

// backoff is the wait before the n-th retry (n ≥ 1) of a transient failure:
// 250 ms doubling up to 5 minutes.
func backoff(n int) time.Duration {
	d := 250 * time.Millisecond
	for i := 1; i < n && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}
