package understand

import "testing"

func TestOSA(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		max  int
		want int
	}{
		{"permesso", "permesso", 2, 0},
		{"permeso", "permesso", 2, 1}, // deletion
		{"medcio", "medico", 2, 1},    // swap of neighbours
		{"docter", "doctor", 2, 1},    // substitution
		{"ricongiugimento", "ricongiungimento", 2, 1},
		{"lavoro", "casa", 1, 2}, // beyond max: max+1
		{"soggiorno", "sogiorno", 1, 1},
		{"abcdef", "badcfe", 3, 3},
		{"", "abc", 5, 3},
	} {
		if got := osa([]rune(tc.a), []rune(tc.b), tc.max); got != tc.want {
			t.Errorf("osa(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.max, got, tc.want)
		}
	}
	long := []rune("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz") // past the stack buffer
	if got := osa(long, long[1:], 2); got != 1 {
		t.Errorf("osa of long words = %d, want 1", got)
	}
}

func kw(t *testing.T, s string) *kwToken {
	t.Helper()
	e, err := parseKeyword(s)
	if err != nil {
		t.Fatal(err)
	}
	return e.words[0]
}

func tok(s string) *token {
	t := tokenize(normalize(s))[0]
	return &t
}

func TestWordMatch(t *testing.T) {
	for _, tc := range []struct {
		text, keyword string
		want          float64
	}{
		{"permesso", "permesso", qualityExact},
		{"perché", "perche", qualityExact},
		{"permeso", "permesso", qualityFuzzy}, // doubled letter
		{"dotore", "dottore", qualityFuzzy},
		{"helpp", "help", qualityFuzzy},
		{"docter", "doctor", qualityFuzzy},     // 6 letters: 1 typo
		{"doktr", "doctor", 0},                 // 2 typos in 5 letters
		{"questrua", "questura", qualityFuzzy}, // 8 letters: swap
		{"qeustra", "questura", 0},             // 7 letters: 2 typos too many
		{"ricongiugimento", "ricongiungimento", qualityFuzzy},
		{"casa", "cosa", 0},   // 4 letters: exact only
		{"notte", "botte", 0}, // first letter differs
		{"lavoro", "lavor*", qualityPrefix},
		{"lavorare", "lavor*", qualityPrefix},
		{"lavroo", "lavor*", qualityFuzzy},
		{"favore", "lavor*", 0}, // a stem keeps its first letter
		{"lav", "lavor*", 0},
		{"112", "112", qualityExact},
		{"1122", "112", 0}, // digits only exactly
		{"113", "112", 0},
		{"居", "居", qualityExact},
	} {
		if got := wordMatch(tok(tc.text), kw(t, tc.keyword)); got != tc.want {
			t.Errorf("wordMatch(%q, %q) = %v, want %v", tc.text, tc.keyword, got, tc.want)
		}
	}
}
