package telegramtest

import (
	"fmt"
	"html"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// Telegram's length limits, in UTF-16 code units after entity parsing.
const (
	maxTextLen    = 4096
	maxCaptionLen = 1024
)

// utf16Len is the length of s in UTF-16 code units, the unit Telegram
// counts lengths and entity offsets in.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// renderText applies parse_mode (or explicit entities) to text and returns
// what the message will show: the plain text and its entities.
//
// HTML is parsed as Telegram does (supported tags only, balanced, HTML
// entities decoded) and malformed markup is refused with Telegram's "can't
// parse entities" error. Markdown and MarkdownV2 are only approximated: the
// markup characters and escapes are removed to measure the length, no
// entities are produced and no syntax error is ever reported.
func renderText(text, parseMode, entitiesJSON string) (string, []models.MessageEntity, *apiError) {
	if strings.TrimSpace(entitiesJSON) != "" {
		var ents []models.MessageEntity
		p := params{"entities": entitiesJSON}
		if _, e := p.json("entities", &ents); e != nil {
			return "", nil, e
		}
		return text, ents, nil
	}
	switch strings.ToLower(parseMode) {
	case "":
		return text, nil, nil
	case "html":
		return parseHTML(text)
	case "markdownv2":
		return stripMarkdown(text, true), nil, nil
	case "markdown":
		return stripMarkdown(text, false), nil, nil
	}
	return "", nil, badRequest("unsupported parse_mode")
}

// checkMessageText renders a message text and enforces Telegram's rules:
// not empty after trimming, at most 4096 UTF-16 code units.
func checkMessageText(text, parseMode, entitiesJSON string) (string, []models.MessageEntity, *apiError) {
	plain, ents, e := renderText(text, parseMode, entitiesJSON)
	if e != nil {
		return "", nil, e
	}
	if strings.TrimSpace(plain) == "" {
		return "", nil, badRequest("message text is empty")
	}
	if utf16Len(plain) > maxTextLen {
		return "", nil, badRequest("message is too long")
	}
	return plain, ents, nil
}

// checkCaption renders a media caption: may be empty, at most 1024 UTF-16
// code units.
func checkCaption(text, parseMode, entitiesJSON string) (string, []models.MessageEntity, *apiError) {
	plain, ents, e := renderText(text, parseMode, entitiesJSON)
	if e != nil {
		return "", nil, e
	}
	if utf16Len(plain) > maxCaptionLen {
		return "", nil, badRequest("message caption is too long")
	}
	return plain, ents, nil
}

func entityError(format string, args ...any) *apiError {
	return badRequest("can't parse entities: " + fmt.Sprintf(format, args...))
}

// parseHTML parses Telegram's HTML subset.
func parseHTML(s string) (string, []models.MessageEntity, *apiError) {
	type open struct {
		tag   string
		ent   models.MessageEntity
		start int
	}
	var (
		out   strings.Builder
		off   int
		stack []open
		ents  []models.MessageEntity
	)
	write := func(str string) {
		out.WriteString(str)
		off += utf16Len(str)
	}
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return "", nil, entityError("Can't find end of the tag at byte offset %d", i)
			}
			inner := strings.TrimSpace(s[i+1 : i+j])
			if rest, ok := strings.CutPrefix(inner, "/"); ok {
				name := strings.ToLower(strings.TrimSpace(rest))
				if len(stack) == 0 {
					return "", nil, entityError("Unexpected end tag at byte offset %d", i)
				}
				top := stack[len(stack)-1]
				if name != top.tag {
					return "", nil, entityError("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top.tag, name)
				}
				stack = stack[:len(stack)-1]
				if top.ent.Type != "" && off > top.start {
					top.ent.Offset, top.ent.Length = top.start, off-top.start
					ents = append(ents, top.ent)
				}
			} else {
				name, attrs := parseTag(inner)
				inPre := len(stack) > 0 && stack[len(stack)-1].tag == "pre"
				ent, ok := htmlEntity(name, attrs, inPre)
				if !ok {
					return "", nil, entityError("Unsupported start tag \"%s\" at byte offset %d", name, i)
				}
				if name == "code" && inPre {
					// <pre><code class="language-go"> sets the pre block's language.
					stack[len(stack)-1].ent.Language = ent.Language
					ent.Type = ""
				}
				stack = append(stack, open{tag: name, ent: ent, start: off})
			}
			i += j + 1
		case '&':
			if j := strings.IndexByte(s[i:], ';'); j > 1 && j <= 32 {
				ref := s[i : i+j+1]
				if dec := html.UnescapeString(ref); dec != ref {
					write(dec)
					i += j + 1
					continue
				}
			}
			write("&")
			i++
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			write(s[i : i+size])
			i += size
		}
	}
	if len(stack) > 0 {
		return "", nil, entityError("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].tag)
	}
	sort.SliceStable(ents, func(a, b int) bool { return ents[a].Offset < ents[b].Offset })
	return out.String(), ents, nil
}

// parseTag splits `a href="x"` into its lower-cased name and attributes.
func parseTag(inner string) (string, map[string]string) {
	attrs := map[string]string{}
	name := inner
	rest := ""
	if k := strings.IndexAny(inner, " \t\n\r"); k >= 0 {
		name, rest = inner[:k], inner[k+1:]
	}
	for {
		rest = strings.TrimLeft(rest, " \t\n\r")
		if rest == "" {
			break
		}
		k := strings.IndexAny(rest, "= \t\n\r")
		if k < 0 {
			attrs[strings.ToLower(rest)] = ""
			break
		}
		key := strings.ToLower(rest[:k])
		rest = strings.TrimLeft(rest[k:], " \t\n\r")
		if !strings.HasPrefix(rest, "=") {
			attrs[key] = ""
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\n\r")
		var val string
		if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
			q := rest[0]
			end := strings.IndexByte(rest[1:], q)
			if end < 0 {
				val, rest = rest[1:], ""
			} else {
				val, rest = rest[1:1+end], rest[2+end:]
			}
		} else {
			end := strings.IndexAny(rest, " \t\n\r")
			if end < 0 {
				val, rest = rest, ""
			} else {
				val, rest = rest[:end], rest[end:]
			}
		}
		attrs[key] = html.UnescapeString(val)
	}
	return strings.ToLower(name), attrs
}

// htmlEntity maps a supported start tag to the entity it opens.
func htmlEntity(name string, attrs map[string]string, inPre bool) (models.MessageEntity, bool) {
	switch name {
	case "b", "strong":
		return models.MessageEntity{Type: models.MessageEntityTypeBold}, true
	case "i", "em":
		return models.MessageEntity{Type: models.MessageEntityTypeItalic}, true
	case "u", "ins":
		return models.MessageEntity{Type: models.MessageEntityTypeUnderline}, true
	case "s", "strike", "del":
		return models.MessageEntity{Type: models.MessageEntityTypeStrikethrough}, true
	case "tg-spoiler":
		return models.MessageEntity{Type: models.MessageEntityTypeSpoiler}, true
	case "span":
		if attrs["class"] == "tg-spoiler" {
			return models.MessageEntity{Type: models.MessageEntityTypeSpoiler}, true
		}
		return models.MessageEntity{}, false
	case "a":
		href := attrs["href"]
		if href == "" {
			return models.MessageEntity{}, true
		}
		return models.MessageEntity{Type: models.MessageEntityTypeTextLink, URL: href}, true
	case "code":
		lang, _ := strings.CutPrefix(attrs["class"], "language-")
		if inPre {
			return models.MessageEntity{Language: lang}, true
		}
		return models.MessageEntity{Type: models.MessageEntityTypeCode}, true
	case "pre":
		return models.MessageEntity{Type: models.MessageEntityTypePre}, true
	case "blockquote":
		if _, ok := attrs["expandable"]; ok {
			return models.MessageEntity{Type: models.MessageEntityTypeExpandableBlockquote}, true
		}
		return models.MessageEntity{Type: models.MessageEntityTypeBlockquote}, true
	case "tg-emoji":
		return models.MessageEntity{Type: models.MessageEntityTypeCustomEmoji, CustomEmojiID: attrs["emoji-id"]}, true
	}
	return models.MessageEntity{}, false
}

// stripMarkdown approximates the visible text of Markdown (v1) or
// MarkdownV2: escapes resolved, markup characters and link targets removed.
func stripMarkdown(s string, v2 bool) string {
	var out strings.Builder
	markers := "*_`["
	if v2 {
		markers = "*_`[~|"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && v2 && i+1 < len(s):
			i++
			out.WriteByte(s[i])
		case c == ']' && i+1 < len(s) && s[i+1] == '(':
			if end := strings.IndexByte(s[i:], ')'); end >= 0 {
				i += end
			}
		case strings.IndexByte(markers, c) >= 0:
		default:
			out.WriteByte(c)
		}
	}
	return out.String()
}

// commandEntities returns the bot_command entity Telegram adds to a text
// starting with "/": "/start", "/start@bot_name", offset 0.
func commandEntities(text string) []models.MessageEntity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	word := func(from int) int {
		i := from
		for i < len(text) {
			c := text[i]
			if c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				i++
				continue
			}
			break
		}
		return i
	}
	end := word(1)
	if end == 1 || end-1 > 64 {
		return nil
	}
	if end < len(text) && text[end] == '@' {
		if e2 := word(end + 1); e2 > end+1 {
			end = e2
		}
	}
	return []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: end}}
}
