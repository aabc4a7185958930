package telegramtest

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/go-telegram/bot/models"
)

// Button is one button the bot showed: an inline button (Data or URL) or a
// reply-keyboard button (RequestContact, RequestLocation or plain text).
type Button struct {
	Text            string
	Data            string // callback_data of an inline button
	URL             string // url of an inline button
	RequestContact  bool   // reply-keyboard button asking for the phone number
	RequestLocation bool   // reply-keyboard button asking for the location
}

// markup is a decoded reply_markup parameter.
type markup struct {
	inline     *models.InlineKeyboardMarkup // also what the message carries
	keyboard   bool
	remove     bool
	forceReply bool
	buttons    [][]Button
}

// maxCallbackData is Telegram's limit on callback_data, in bytes.
const maxCallbackData = 64

// parseMarkup decodes and validates reply_markup. An absent parameter gives
// a zero markup.
func parseMarkup(p params) (markup, *apiError) {
	var m markup
	raw := strings.TrimSpace(p.str("reply_markup"))
	if raw == "" {
		return m, nil
	}
	var obj struct {
		InlineKeyboard *[][]models.InlineKeyboardButton `json:"inline_keyboard"`
		Keyboard       *[][]models.KeyboardButton       `json:"keyboard"`
		RemoveKeyboard bool                             `json:"remove_keyboard"`
		ForceReply     bool                             `json:"force_reply"`
	}
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return m, badRequest("can't parse reply keyboard markup JSON object")
	}
	switch {
	case obj.InlineKeyboard != nil:
		rows := *obj.InlineKeyboard
		for _, row := range rows {
			var brow []Button
			for _, b := range row {
				if len(b.CallbackData) > maxCallbackData {
					return m, badRequest("BUTTON_DATA_INVALID")
				}
				if b.URL != "" {
					if u, err := url.Parse(b.URL); err != nil || strings.ContainsAny(b.URL, " \n") || (u.Scheme != "" && u.Host == "" && u.Scheme != "tg") {
						return m, badRequest("BUTTON_URL_INVALID")
					}
				}
				if !hasInlineAction(b) {
					return m, badRequest("text buttons are unallowed in the inline keyboard")
				}
				brow = append(brow, Button{Text: b.Text, Data: b.CallbackData, URL: b.URL})
			}
			m.buttons = append(m.buttons, brow)
		}
		m.inline = &models.InlineKeyboardMarkup{InlineKeyboard: rows}
	case obj.Keyboard != nil:
		m.keyboard = true
		for _, row := range *obj.Keyboard {
			var brow []Button
			for _, b := range row {
				if b.Text == "" {
					return m, badRequest("keyboard button text is empty")
				}
				brow = append(brow, Button{Text: b.Text, RequestContact: b.RequestContact, RequestLocation: b.RequestLocation})
			}
			m.buttons = append(m.buttons, brow)
		}
	case obj.RemoveKeyboard:
		m.remove = true
	case obj.ForceReply:
		m.forceReply = true
	default:
		return m, badRequest("can't parse reply keyboard markup JSON object")
	}
	return m, nil
}

// hasInlineAction reports whether an inline button does something; Telegram
// refuses plain text buttons in inline keyboards. go-telegram/bot always
// sends copy_text (a struct field), empty when unused.
func hasInlineAction(b models.InlineKeyboardButton) bool {
	return b.URL != "" || b.CallbackData != "" || b.WebApp != nil || b.LoginURL != nil ||
		b.SwitchInlineQuery != "" || b.SwitchInlineQueryCurrentChat != "" ||
		b.SwitchInlineQueryChosenChat != nil || b.CopyText.Text != "" ||
		b.CallbackGame != nil || b.Pay
}

// inlineButtons converts an inline keyboard to Buttons.
func inlineButtons(m *models.InlineKeyboardMarkup) [][]Button {
	if m == nil {
		return nil
	}
	var out [][]Button
	for _, row := range m.InlineKeyboard {
		var brow []Button
		for _, b := range row {
			brow = append(brow, Button{Text: b.Text, Data: b.CallbackData, URL: b.URL})
		}
		out = append(out, brow)
	}
	return out
}

// sameMarkup compares two inline keyboards by their JSON.
func sameMarkup(a, b *models.InlineKeyboardMarkup) bool {
	if a == nil || len(a.InlineKeyboard) == 0 {
		return b == nil || len(b.InlineKeyboard) == 0
	}
	if b == nil {
		return false
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
