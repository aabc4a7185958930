package csvrows

import "strings"

// Columns reads a header row into column name → index. Names are trimmed
// and lower-cased. Each empty name, each name known rejects and each name
// that appears twice is reported through fail (unknown gives the message
// for an unknown name) and left out; the first of twin columns is kept.
func Columns(header []string, known func(name string) bool, unknown func(name string) string, fail func(format string, args ...any)) map[string]int {
	cols := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		_, dup := cols[h]
		switch {
		case h == "":
			fail("column %d has no name (delete the empty column)", i+1)
		case !known(h):
			fail("%s", unknown(h))
		case dup:
			fail("column %q appears twice", h)
		default:
			cols[h] = i
		}
	}
	return cols
}
