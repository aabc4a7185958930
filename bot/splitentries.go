package bot

import (
	"fmt"

	"github.com/prils-lazio/presidio/internal/store"
)

// splitEntries makes every text message fit Telegram's limit, for messages
// no update caused (console replies, announcements, reminders): a text
// longer than MaxMessageLen becomes several entries, in order. The first
// part keeps the entry's id (so reports by id still find it, and queueing
// the same entries again keeps one copy); the others get "<id>~2", "~3"…
// Buttons and keyboards go under the last part, a quoted message and a
// button's answer with the first. Copies, media and pins are left as they
// are.
func splitEntries(entries []store.OutboxEntry) []store.OutboxEntry {
	var out []store.OutboxEntry
	for _, e := range entries {
		o := e.Msg
		if o.CopyOf != nil || o.Location != nil || o.Venue != nil || o.FileID != "" || o.Document != nil || utf16Len(o.Text) <= MaxMessageLen {
			out = append(out, e)
			continue
		}
		parts := SplitText(o.Text, MaxMessageLen)
		for i, p := range parts {
			part := e
			part.Msg.Text = p
			if i > 0 || part.Seq == 0 {
				part.Seq = store.NextSeq() // increasing: the parts go in order
			}
			if i > 0 {
				part.ID = fmt.Sprintf("%s~%d", e.ID, i+1)
				part.Msg.ReplyTo, part.Msg.CallbackID = 0, ""
			}
			if i < len(parts)-1 {
				part.Msg.Buttons, part.Msg.Keyboard, part.Msg.RemoveKeyboard = nil, nil, false
			}
			out = append(out, part)
		}
	}
	return out
}
