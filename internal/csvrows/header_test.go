package csvrows

import (
	"fmt"
	"slices"
	"testing"
)

// Empty, unknown and repeated names are each reported once and left out;
// names are read trimmed and in lower case.
func TestColumns(t *testing.T) {
	var got []string
	cols := Columns([]string{" ID ", "Name", "", "colour", "id"},
		func(h string) bool { return h == "id" || h == "name" },
		func(h string) string { return "unknown " + h },
		func(format string, args ...any) { got = append(got, fmt.Sprintf(format, args...)) })
	want := []string{"column 3 has no name (delete the empty column)", "unknown colour", `column "id" appears twice`}
	if !slices.Equal(got, want) {
		t.Errorf("problems %q, want %q", got, want)
	}
	if len(cols) != 2 || cols["id"] != 0 || cols["name"] != 1 {
		t.Errorf("columns %v", cols)
	}
}
