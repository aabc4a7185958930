package locales

// SourceLanguage is the tag of the source language: every message id is
// written first in Italian (active.it.toml, with a description for
// translators), and Italian is the fallback for a message missing in another
// language.
const SourceLanguage = "it"

// Language is one language that Presidio speaks.
type Language struct {
	// Tag is the BCP 47 tag, as in the file name active.<Tag>.toml.
	Tag string
	// Name is the language's name in the language itself, for the language
	// picker (a person who cannot read Italian must recognise their own).
	Name string
	// RTL is true for languages written right to left.
	RTL bool
}

// supported lists every language, in the order the language picker shows
// them: Italian (the source) first, English second, then the others. Adding a
// language is adding one line here and one file active.<tag>.toml; the tests
// then list every message that the new file still lacks.
var supported = []Language{
	{Tag: "it", Name: "Italiano"},
	{Tag: "en", Name: "English"},
	{Tag: "fr", Name: "Français"},
	{Tag: "es", Name: "Español"},
	{Tag: "ar", Name: "العربية", RTL: true},
	{Tag: "uk", Name: "Українська"},
	{Tag: "ru", Name: "Русский"},
	{Tag: "ro", Name: "Română"},
	{Tag: "sq", Name: "Shqip"},
	{Tag: "bn", Name: "বাংলা"},
	{Tag: "ur", Name: "اردو", RTL: true},
	// Punjabi in Gurmukhi script, the Telegram and CLDR default for "pa"
	// (Punjabi from India). Punjabi readers from Pakistan write Shahmukhi
	// (Arabic script, "pa-Arab"), which Match does not send here; many of them
	// may prefer Urdu, which they can pick from the list.
	{Tag: "pa", Name: "ਪੰਜਾਬੀ"},
	// Simplified Chinese. Traditional Chinese codes (zh-Hant, zh-TW, zh-HK)
	// are not matched automatically: see Catalog.Match.
	{Tag: "zh", Name: "中文"},
	// Filipino; Telegram's "tl" (Tagalog) is the same language and matches it.
	{Tag: "fil", Name: "Filipino"},
	// Persian, written so that Dari (Afghan Persian, "prs", "fa-AF") readers
	// understand it too: Match sends Dari here.
	{Tag: "fa", Name: "فارسی / دری", RTL: true},
	// Pashto, the other main language of Afghanistan.
	{Tag: "ps", Name: "پښتو", RTL: true},
}

// lookupLanguage returns the supported language with exactly this tag.
func lookupLanguage(tag string) (Language, bool) {
	for _, l := range supported {
		if l.Tag == tag {
			return l, true
		}
	}
	return Language{}, false
}

// Tags returns the tag of every language Presidio speaks to people (the
// files active.<tag>.toml), Italian first, in the language picker's order.
func Tags() []string {
	out := make([]string, len(supported))
	for i, l := range supported {
		out[i] = l.Tag
	}
	return out
}
