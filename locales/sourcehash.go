package locales

import (
	"crypto/sha1"
	"fmt"
	"io"
	"sort"
)

// SourceHash is the hash that go-i18n's `goi18n merge` writes into every
// translation ("hash = ..."): the SHA-1 of the Italian message's
// description followed by its "other" text, written "sha1-<hex>". A
// translation stores the SourceHash of the Italian message it was made
// from; when the Italian text (or its description) changes, the stored
// hash no longer matches and the translation is stale: goi18n merge then
// drops it and asks for it again, and Catalog.Stale names it.
func SourceHash(description, other string) string {
	h := sha1.New()
	_, _ = io.WriteString(h, description)
	_, _ = io.WriteString(h, other)
	return fmt.Sprintf("sha1-%x", h.Sum(nil))
}

// CurrentSourceHash is the SourceHash of the Italian message id now, ""
// when Italian has no such message.
func (c *Catalog) CurrentSourceHash(id string) string {
	m := c.messages[SourceLanguage][id]
	if m == nil {
		return ""
	}
	return SourceHash(m.Description, m.Other)
}

// TranslatedFrom is the hash stored with the translation of id in lang
// (the SourceHash of the Italian text it was made from), "" when the
// translation has none or is missing.
func (c *Catalog) TranslatedFrom(lang, id string) string {
	if m := c.messages[lang][id]; m != nil {
		return m.Hash
	}
	return ""
}

// Stale lists, by language, the sorted ids of the translations made from
// another Italian text than today's: their stored hash is set and differs
// from CurrentSourceHash. Languages without stale translations are absent.
// (A translation without a hash is not stale: it predates the hashes; see
// locales/README.md, "Translators".)
func (c *Catalog) Stale() map[string][]string {
	out := map[string][]string{}
	for _, l := range c.languages {
		if l.Tag == SourceLanguage {
			continue
		}
		for id, m := range c.messages[l.Tag] {
			if m.Hash != "" && m.Hash != c.CurrentSourceHash(id) && c.messages[SourceLanguage][id] != nil {
				out[l.Tag] = append(out[l.Tag], id)
			}
		}
		sort.Strings(out[l.Tag])
		if len(out[l.Tag]) == 0 {
			delete(out, l.Tag)
		}
	}
	return out
}
