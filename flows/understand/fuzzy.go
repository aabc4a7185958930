package understand

import "strings"

// How well a word of the text matches a word of a keyword.
const (
	qualityExact  = 1.0
	qualityPrefix = 0.95 // a stem keyword ("lavor*"), or an Arabic word without its article
	qualityFuzzy  = 0.7  // a typo
)

// wordMatch tells how well the text word t matches the keyword word k
// (0: not at all). Equal words match; digits only so (112, 1522). A keyword
// word ending in * matches any word it starts, or with one typo after its
// first letter. Otherwise, with n the shorter length in characters: words
// of n ≥ 4 match when equal but for doubled letters ("dotore" for
// "dottore", "helpp" for "help"), words of n ≥ 5 with the same first
// letter within Damerau-Levenshtein distance 1, and of n ≥ 8 within 2.
func wordMatch(t *token, k *kwToken) float64 {
	if t.digit || k.digit || t.cjk || k.cjk {
		if t.text == k.text && !k.prefix {
			return qualityExact
		}
		return 0
	}
	if k.prefix {
		if strings.HasPrefix(t.text, k.text) {
			return qualityPrefix
		}
		// a typo in the stem, but not in its first letter ("favore" is
		// no "lavor*")
		if len(k.runes) >= 5 && len(t.runes) > 0 && t.runes[0] == k.runes[0] {
			for l := len(k.runes) - 1; l <= len(k.runes)+1 && l <= len(t.runes); l++ {
				if osa(t.runes[:l], k.runes, 1) <= 1 {
					return qualityFuzzy
				}
			}
		}
		return 0
	}
	if t.text == k.text {
		return qualityExact
	}
	n := min(len(t.runes), len(k.runes))
	if n >= 4 && k.squeezed == t.squeezed {
		return qualityFuzzy
	}
	// Short words keep their first letter ("notte" is no typo of "botte").
	if n < 8 && t.runes[0] != k.runes[0] {
		return 0
	}
	if d := maxDistance(n); d > 0 && abs(len(t.runes)-len(k.runes)) <= d && osa(t.runes, k.runes, d) <= d {
		return qualityFuzzy
	}
	return 0
}

// maxDistance is the number of typos allowed in a word of n characters.
func maxDistance(n int) int {
	switch {
	case n >= 8:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// squeeze writes every run of a repeated letter once.
func squeeze(rs []rune) string {
	var b strings.Builder
	for i, r := range rs {
		if i == 0 || r != rs[i-1] {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// osa is the optimal string alignment (restricted Damerau-Levenshtein)
// distance between a and b: insertions, deletions, substitutions and
// swaps of two neighbours each cost 1. It stops early and returns max+1
// once the distance is surely above max.
func osa(a, b []rune, max int) int {
	if abs(len(a)-len(b)) > max {
		return max + 1
	}
	// three rows: two back (for swaps), previous, current; on the stack
	// for words of usual length
	var buf [3 * 48]int
	rows := buf[:]
	if n := 3 * (len(b) + 1); n > len(buf) {
		rows = make([]int, n)
	}
	w := len(b) + 1
	prev2, prev, cur := rows[:w], rows[w:2*w], rows[2*w:3*w]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
