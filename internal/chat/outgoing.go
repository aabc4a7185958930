package chat

// Priority orders sends when Telegram's limits make the bot wait: replies to
// people who are chatting go before bulk announcements.
type Priority int

// The send priorities.
const (
	PriorityInteractive Priority = 0
	PriorityBulk        Priority = 1
)

// Outgoing is one message the bot sends. Exactly one of Text, Location,
// Venue, CopyOf or FileID says what it is. (The store keeps Buttons and
// Keyboard in a flat form of its own: FerretDB cannot store nested arrays.)
type Outgoing struct {
	ChatID   int64 `bson:"chat_id"`
	ThreadID int   `bson:"thread_id,omitempty"`
	// Text is plain text (no parse mode) of any length: the sender splits it
	// into Telegram-sized messages.
	Text string `bson:"text,omitempty"`
	// Entities format Text (bold, links…), as a person's relayed text had
	// them; offsets count UTF-16 code units of Text.
	Entities []Entity `bson:"entities,omitempty"`
	// Coalesce marks a plain text to a group's topic that may be merged
	// with the texts of the same key waiting right behind it into one
	// message (bot/coalesce.go): a person's burst in their case's topic.
	// With CopyOf set, Text (and Entities) are the copied message's, used
	// only when merged; alone it is still sent as a copy.
	Coalesce string `bson:"coalesce,omitempty"`
	// Buttons are inline buttons under the text, row by row.
	Buttons [][]Button `bson:"-"`
	// Keyboard is a reply keyboard (e.g. "share my phone"); RemoveKeyboard
	// hides one shown before.
	Keyboard       [][]KeyboardButton `bson:"-"`
	RemoveKeyboard bool               `bson:"remove_keyboard,omitempty"`
	// ReplyTo quotes an earlier message of the same chat.
	ReplyTo int `bson:"reply_to,omitempty"`
	// Location sends a map pin; Venue a pin with a name and an address.
	Location *Location `bson:"location,omitempty"`
	Venue    *Venue    `bson:"venue,omitempty"`
	// CopyOf relays a message as it is (voice notes, photos…) from another chat.
	CopyOf *MessageRef `bson:"copy_of,omitempty"`
	// FileID and MediaType send a photo, document, voice… Telegram already has.
	FileID    string `bson:"file_id,omitempty"`
	MediaType string `bson:"media_type,omitempty"`
	// Document sends a new file the bot made (a person's data export),
	// with Text as its caption (at most 1024 characters).
	Document *Document `bson:"document,omitempty"`
	// CallbackID answers a button press (stops its spinner) before sending.
	CallbackID string   `bson:"callback_id,omitempty"`
	Priority   Priority `bson:"priority,omitempty"`
	// Urgent messages go first in a group's queue (an urgent case's topic).
	Urgent bool `bson:"urgent,omitempty"`
	// Ephemeral messages are deleted from the outbox once sent (the last
	// message to a person who asked to be forgotten).
	Ephemeral bool `bson:"ephemeral,omitempty"`
}

// Entity is a formatting entity of a text, as Telegram describes it (type
// "bold", "text_link"…), offsets and lengths in UTF-16 code units.
type Entity struct {
	Type          string `bson:"type" json:"type"`
	Offset        int    `bson:"offset" json:"offset"`
	Length        int    `bson:"length" json:"length"`
	URL           string `bson:"url,omitempty" json:"url,omitempty"`
	UserID        int64  `bson:"user_id,omitempty" json:"user_id,omitempty"`
	Language      string `bson:"language,omitempty" json:"language,omitempty"`
	CustomEmojiID string `bson:"custom_emoji_id,omitempty" json:"custom_emoji_id,omitempty"`
}

// ShiftEntities returns entities moved by n UTF-16 code units (text put
// before the one they format).
func ShiftEntities(entities []Entity, n int) []Entity {
	if len(entities) == 0 {
		return nil
	}
	out := make([]Entity, len(entities))
	for i, e := range entities {
		e.Offset += n
		out[i] = e
	}
	return out
}

// Document is a file to upload: a name and its content (kept small: it is
// stored in the outbox until sent).
type Document struct {
	Name string `bson:"name"`
	Data []byte `bson:"data"`
}

// Button is an inline button: Data comes back as a button press (at most 64
// bytes, checked by flow validation), URL opens a link.
type Button struct {
	Text string `bson:"text"`
	Data string `bson:"data,omitempty"`
	URL  string `bson:"url,omitempty"`
}

// KeyboardButton is a reply-keyboard button; it may ask Telegram to share
// the person's phone number or location.
type KeyboardButton struct {
	Text            string `bson:"text"`
	RequestContact  bool   `bson:"request_contact,omitempty"`
	RequestLocation bool   `bson:"request_location,omitempty"`
}

// Venue is a named place on the map.
type Venue struct {
	Latitude  float64 `bson:"lat"`
	Longitude float64 `bson:"lon"`
	Title     string  `bson:"title"`
	Address   string  `bson:"address"`
}

// MessageRef points at a message in a chat.
type MessageRef struct {
	ChatID    int64 `bson:"chat_id"`
	MessageID int   `bson:"message_id"`
}
