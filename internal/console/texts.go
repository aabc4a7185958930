package console

import (
	"strings"

	"github.com/prils-lazio/presidio/locales"
)

// DefaultTexts returns the console's texts: locales/console, Italian (the
// source) and English, in the same go-i18n files as the bot's; a missing
// id reads "[id]". The embedded files are checked by the locales tests.
func DefaultTexts() Texts {
	c, err := locales.LoadConsole()
	if err != nil {
		panic("console: the embedded texts do not load: " + err.Error())
	}
	return c
}

// TextIDs returns every console text id, sorted.
func TextIDs() []string {
	c, err := locales.LoadConsole()
	if err != nil {
		return nil
	}
	var out []string
	for _, id := range c.IDs() {
		if strings.HasPrefix(id, "console.") {
			out = append(out, id)
		}
	}
	return out
}
