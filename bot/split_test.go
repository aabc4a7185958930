package bot

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSplitTextShortIsUnchanged(t *testing.T) {
	in := "Ciao!\n\nCome posso aiutarti?"
	got := SplitText(in, MaxMessageLen)
	if len(got) != 1 || got[0] != in {
		t.Fatalf("SplitText(short) = %q, want it unchanged", got)
	}
}

func TestSplitTextPrefersParagraphs(t *testing.T) {
	p1 := strings.Repeat("parola ", 400) // 2800 bytes
	p2 := strings.Repeat("altra ", 400)
	got := SplitText(strings.TrimSpace(p1)+"\n\n"+strings.TrimSpace(p2), MaxMessageLen)
	if len(got) != 2 || got[0] != strings.TrimSpace(p1) || got[1] != strings.TrimSpace(p2) {
		t.Fatalf("want the two paragraphs as two messages, got %d parts", len(got))
	}
}

func TestSplitTextCountsUTF16(t *testing.T) {
	// Each emoji is 2 UTF-16 units: 3000 of them are 6000 units, two messages.
	in := strings.Repeat("😀", 3000)
	got := SplitText(in, MaxMessageLen)
	if len(got) != 2 {
		t.Fatalf("got %d parts, want 2", len(got))
	}
	for _, p := range got {
		if utf16Len(p) > MaxMessageLen {
			t.Fatalf("part of %d UTF-16 units", utf16Len(p))
		}
	}
}

func TestSplitTextKeepsCombiningMarks(t *testing.T) {
	// "e" + combining acute, repeated with no spaces: a cut must not leave a
	// mark at the start of a part.
	in := strings.Repeat("e\u0301", 30)
	for _, p := range SplitText(in, 9) {
		r, _ := utf8.DecodeRuneInString(p)
		if unicode.Is(unicode.Mn, r) {
			t.Fatalf("part starts with a combining mark: %q", p)
		}
	}
}

func FuzzSplitText(f *testing.F) {
	f.Add("Ciao\n\nmondo", 10)
	f.Add(strings.Repeat("مرحبا بك ", 50), 30)
	f.Add(strings.Repeat("👩‍👩‍👧", 20), 9)
	f.Add("a\u0301b\u0301c\u0301d\u0301", 8)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if !utf8.ValidString(text) || limit < 8 || limit > 5000 {
			return
		}
		parts := SplitText(text, limit)
		if len(parts) == 0 {
			t.Fatal("no parts")
		}
		var joined strings.Builder
		for _, p := range parts {
			if !utf8.ValidString(p) {
				t.Fatalf("invalid UTF-8 part %q", p)
			}
			if utf16Len(p) > limit {
				t.Fatalf("part has %d UTF-16 units, limit %d", utf16Len(p), limit)
			}
			if len(parts) > 1 && strings.TrimSpace(p) == "" {
				t.Fatalf("empty part in %q", parts)
			}
			joined.WriteString(p)
		}
		if stripSpace(joined.String()) != stripSpace(text) {
			t.Fatalf("text changed:\n in %q\nout %q", text, parts)
		}
	})
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
