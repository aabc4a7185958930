package chat

import "unicode/utf16"

// MaxTextLength is Telegram's limit for the text of one message, counted as
// Telegram counts it: in UTF-16 code units. Longer texts are split by the
// runtime into several messages; forms that promise one message (an
// announcement) check their final text against it.
const MaxTextLength = 4096

// TextLength is the length of s as Telegram counts it (UTF-16 code units).
func TextLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
