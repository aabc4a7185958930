package translations

import (
	"fmt"
	"strings"
	"unicode"
)

// messageFile is a go-i18n TOML message file edited in place: only the
// lines of the messages that change are rewritten, so the rest of the file
// (comments, order, layout) stays as the translators wrote it and parallel
// edits of other messages merge cleanly.
type messageFile struct {
	lines []string
}

func parseMessageFile(data string) *messageFile {
	data = strings.TrimSuffix(data, "\n")
	return &messageFile{lines: strings.Split(data, "\n")}
}

func (f *messageFile) String() string { return strings.Join(f.lines, "\n") + "\n" }

// block is a message's lines: the header line ["id"] at start, its keys up
// to end (excluded).
type block struct{ start, end int }

// find returns the block of message id.
func (f *messageFile) find(id string) (block, bool) {
	header := "[" + quote(id) + "]"
	inMulti := false
	start := -1
	for i, l := range f.lines {
		if !inMulti && strings.HasPrefix(l, "[") {
			if start >= 0 {
				return block{start, f.trimEnd(start, i)}, true
			}
			if strings.TrimSpace(l) == header {
				start = i
			}
		}
		if strings.Count(l, `"""`)%2 == 1 {
			inMulti = !inMulti
		}
	}
	if start >= 0 {
		return block{start, f.trimEnd(start, len(f.lines))}, true
	}
	return block{}, false
}

// trimEnd moves a block's end back over trailing blank and comment lines
// (they belong to what follows).
func (f *messageFile) trimEnd(start, end int) int {
	for end > start+1 {
		l := strings.TrimSpace(f.lines[end-1])
		if l != "" && !strings.HasPrefix(l, "#") {
			break
		}
		end--
	}
	return end
}

// keyLines returns the first and end line of key k's value in b (a value
// in """ may span lines); ok is false when b has no such key.
func (f *messageFile) keyLines(b block, k string) (first, end int, ok bool) {
	for i := b.start + 1; i < b.end; i++ {
		name, rest, found := strings.Cut(f.lines[i], "=")
		if !found || strings.TrimSpace(name) != k {
			continue
		}
		rest = strings.TrimSpace(rest)
		if !strings.HasPrefix(rest, `"""`) || strings.Count(rest, `"""`) >= 2 {
			return i, i + 1, true
		}
		for j := i + 1; j < b.end; j++ {
			if strings.Contains(f.lines[j], `"""`) {
				return i, j + 1, true
			}
		}
		return i, b.end, true
	}
	return 0, 0, false
}

// set writes key k = value in message id's block, replacing the old value
// or adding the key (hash right after the header, forms at the end).
func (f *messageFile) set(id, k, value string) error {
	b, ok := f.find(id)
	if !ok {
		return fmt.Errorf("no message %q", id)
	}
	line := k + " = " + encode(value)
	newLines := strings.Split(line, "\n")
	if first, end, ok := f.keyLines(b, k); ok {
		f.lines = splice(f.lines, first, end, newLines)
		return nil
	}
	at := b.end
	if k == "hash" {
		at = b.start + 1
	}
	f.lines = splice(f.lines, at, at, newLines)
	return nil
}

// add appends a new message block at the end of the file.
func (f *messageFile) add(id string, keys [][2]string) {
	f.lines = append(f.lines, "", "["+quote(id)+"]")
	for _, kv := range keys {
		f.lines = append(f.lines, strings.Split(kv[0]+" = "+encode(kv[1]), "\n")...)
	}
}

func splice(lines []string, from, to int, with []string) []string {
	out := make([]string, 0, len(lines)-(to-from)+len(with))
	out = append(out, lines[:from]...)
	out = append(out, with...)
	return append(out, lines[to:]...)
}

// quote writes s as a TOML basic string's content between quotes.
func quote(s string) string { return `"` + escape(s, false) + `"` }

// encode writes a TOML string value: one line in "…", or several in
// """…""". Directional marks and isolates are written as \uXXXX escapes,
// as in the hand-written files, so a reader sees where they are.
func encode(s string) string {
	if strings.Contains(s, "\n") {
		return `"""` + "\n" + escape(s, true) + `"""`
	}
	return quote(s)
}

func escape(s string, multiline bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n' && multiline:
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r >= 0x200E && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0xFEFF:
			fmt.Fprintf(&b, `\u%04X`, r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
