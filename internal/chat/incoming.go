package chat

// Kind says what an incoming update is, as far as the bot cares.
type Kind string

// The kinds of incoming updates.
const (
	// KindText is a text message (commands included).
	KindText Kind = "text"
	// KindButton is a press on an inline button (callback data in Data).
	KindButton Kind = "button"
	// KindContact is a shared contact (phone in Contact).
	KindContact Kind = "contact"
	// KindLocation is a shared location (Location).
	KindLocation Kind = "location"
	// KindMedia is a photo, voice note, document, video or audio (FileID).
	KindMedia Kind = "media"
	// KindUnsupported is a message the bot cannot read (sticker, poll, game…):
	// it deserves a kind answer, not a crash.
	KindUnsupported Kind = "unsupported"
	// KindBlocked says the person blocked the bot; KindUnblocked that they
	// started it again. Both come from Telegram's my_chat_member updates.
	KindBlocked   Kind = "blocked"
	KindUnblocked Kind = "unblocked"
	// KindEdited is a text message the sender edited (Text is the new
	// text): relayed in a conversation with a counsellor, else ignored.
	KindEdited Kind = "edited"
	// KindIgnored is everything else (edits, channel posts, polls, member
	// changes of other users): recorded in the inbox, answered with nothing.
	KindIgnored Kind = "ignored"
)

// Incoming is one update as the flows see it.
type Incoming struct {
	UpdateID int64
	Kind     Kind
	// ChatID is where answers go; ThreadID the forum topic (0 outside forums).
	ChatID   int64
	ThreadID int
	// Private is true for a one-to-one chat with the bot.
	Private bool
	// From is the person who sent it.
	From Person
	// MessageID is the Telegram message (or, for buttons, the message that
	// carried the button).
	MessageID int
	// Text is the message text or a media caption. Never logged above debug.
	Text string
	// Entities format Text (bold, links…), offsets in UTF-16 code units.
	Entities []Entity
	// Data is the callback data of a pressed button.
	Data string
	// CallbackID must be answered to stop the button's spinner.
	CallbackID string
	// Contact is a shared phone number.
	Contact string
	// Location is a shared position.
	Location *Location
	// FileID and MediaType describe a photo, voice note, document…
	FileID    string
	MediaType string
}

// Person is the sender as Telegram describes them.
type Person struct {
	ID           int64
	FirstName    string
	LanguageCode string
}

// Location is a point on the map.
type Location struct {
	Latitude  float64
	Longitude float64
}

// Command returns the bot command in a text message ("/start" → "start") and
// its argument ("/start site_3" → "site_3"), or "" when the text is not a
// command. A "@botname" suffix is dropped.
func (in Incoming) Command() (cmd, arg string) {
	if in.Kind != KindText || len(in.Text) < 2 || in.Text[0] != '/' {
		return "", ""
	}
	s := in.Text[1:]
	for i, r := range s {
		if r == ' ' || r == '\n' {
			cmd, arg = s[:i], trimSpace(s[i+1:])
			break
		}
	}
	if cmd == "" {
		cmd = s
	}
	for i, r := range cmd {
		if r == '@' {
			cmd = cmd[:i]
			break
		}
	}
	return cmd, arg
}

func trimSpace(s string) string {
	start, end := 0, len(s)
	for start < end && (s[start] == ' ' || s[start] == '\n' || s[start] == '\t') {
		start++
	}
	for end > start && (s[end-1] == ' ' || s[end-1] == '\n' || s[end-1] == '\t') {
		end--
	}
	return s[start:end]
}
