package csvrows

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

type result struct {
	header []string
	rows   map[int][]string
	fails  []string
}

func read(t *testing.T, in string, xlsx bool) result {
	t.Helper()
	res := result{rows: map[int][]string{}}
	fail := func(line int, format string, args ...any) {
		res.fails = append(res.fails, fmt.Sprintf("%d: %s", line, fmt.Sprintf(format, args...)))
	}
	header := func(h []string) bool { res.header = slices.Clone(h); return true }
	row := func(line int, rec []string) { res.rows[line] = slices.Clone(rec) }
	if xlsx {
		ReadXLSX(strings.NewReader(in), "a,b", fail, header, row)
	} else {
		Read(strings.NewReader(in), "a,b", fail, header, row)
	}
	return res
}

func TestDelimitersAndEncodings(t *testing.T) {
	for name, in := range map[string]string{
		"comma":        "a,b\n1,\"x;y\"\n",
		"semicolon":    "a;b\r\n1;\"x;y\"\r\n",
		"tab":          "a\tb\n1\tx;y\n",
		"quoted names": "\"a;1\",b\n1,x;y\n",
	} {
		res := read(t, in, false)
		if len(res.fails) > 0 || len(res.header) != 2 {
			t.Errorf("%s: header %q, fails %v", name, res.header, res.fails)
		}
		if got := res.rows[2]; len(got) != 2 || got[1] != "x;y" {
			t.Errorf("%s: row %q", name, got)
		}
	}
	if res := read(t, "a;b\n1;x;y\n", false); len(res.fails) != 1 || !strings.Contains(res.fails[0], "2: the row has 3 cells but the header has 2 (a missing or extra semicolon?)") {
		t.Errorf("semicolon width: %v", res.fails)
	}
	if res := read(t, "a,b\n1,caff\xe8\n", false); len(res.fails) > 0 || res.rows[2][1] != "caffè" {
		t.Errorf("Windows-1252: %v %q", res.fails, res.rows[2])
	}
	if res := read(t, "\xff\xfea\x00", false); len(res.fails) != 1 || !strings.Contains(res.fails[0], "UTF-16") {
		t.Errorf("UTF-16: %v", res.fails)
	}
}

func TestXLSXRoundTripAndSerials(t *testing.T) {
	var buf bytes.Buffer
	err := WriteXLSX(&buf, []Sheet{{Name: "Corsi", Rows: [][]string{{"a", "b"}, {"1", "x"}, {"", ""}, {"007", "y", ""}}}})
	if err != nil {
		t.Fatal(err)
	}
	res := read(t, buf.String(), true)
	if len(res.fails) > 0 || !slices.Equal(res.header, []string{"a", "b"}) || !slices.Equal(res.rows[2], []string{"1", "x"}) || !slices.Equal(res.rows[4], []string{"007", "y"}) {
		t.Fatalf("read back: %+v", res)
	}
	if res := read(t, "not a zip", true); len(res.fails) != 1 || !strings.Contains(res.fails[0], "not an Excel workbook") {
		t.Errorf("bad workbook: %v", res.fails)
	}
	if d, ok := SerialDate("45936"); !ok || d.Format("2006-01-02") != "2025-10-06" {
		t.Errorf("SerialDate = %v %v", d, ok)
	}
	if c, ok := SerialClock("0.75"); !ok || c != "18:00" {
		t.Errorf("SerialClock = %q %v", c, ok)
	}
	for _, s := range []string{"12", "2025", "abc"} {
		if _, ok := SerialDate(s); ok {
			t.Errorf("SerialDate(%q) accepted", s)
		}
	}
	if Slug("Città di Sant'Anna  (RM)") != "citta-di-sant-anna-rm" || Fold("Lunedì") != "lunedi" {
		t.Errorf("Slug/Fold: %q %q", Slug("Città di Sant'Anna  (RM)"), Fold("Lunedì"))
	}
}
