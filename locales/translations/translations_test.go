package translations

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// copyLocales copies the repository's message files into a scratch folder.
func copyLocales(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	names, err := filepath.Glob("../active.*.toml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no message files: %v", err)
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func open(t *testing.T, dir string) *Workspace {
	t.Helper()
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func editItalian(t *testing.T, dir, id, text string) {
	t.Helper()
	path := filepath.Join(dir, "active.it.toml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := parseMessageFile(string(data))
	if err := f.set(id, "other", text); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(f.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Today's files: every language complete, every translation carries the
// hash of its Italian source, nothing reviewed by a native speaker yet.
func TestStatusOfTheRepositoryFiles(t *testing.T) {
	w := open(t, "..")
	sums := w.Status()
	if len(sums) != 15 {
		t.Fatalf("%d languages, want 15 (all but Italian)", len(sums))
	}
	for _, s := range sums {
		switch {
		case !s.Complete():
			t.Errorf("%s: %d missing, %d stale (see go test ./locales/)", s.Language.Tag, s.Count[Missing], s.Count[Stale])
		case s.Count[Unhashed] != 0:
			t.Errorf("%s: %d translations without the hash of their Italian source: once they are checked, run `go run ./cmd/presidio translations stamp`",
				s.Language.Tag, s.Count[Unhashed])
		case s.Count[Translated]+s.Count[Reviewed] != s.Messages:
			t.Errorf("%s: %+v", s.Language.Tag, s.Count)
		}
	}
}

// An Italian text changes: every translation of it is stale, named by the
// status, and the language is no longer complete.
func TestItalianChangeMakesTranslationsStale(t *testing.T) {
	dir := copyLocales(t)
	editItalian(t, dir, "courses.enrolled", "✅ Ora sei iscritto al corso!")
	w := open(t, dir)
	for _, s := range w.Status() {
		if s.Complete() || !slices.Equal(s.StaleIDs, []string{"courses.enrolled"}) {
			t.Errorf("%s: complete %v, stale %v", s.Language.Tag, s.Complete(), s.StaleIDs)
		}
	}
	var out bytes.Buffer
	if code := RunCLI([]string{"status", "-dir", dir}, &out, &out); code != 0 || !strings.Contains(out.String(), "stale in fa (made from an older Italian text): courses.enrolled") {
		t.Errorf("status exit %d:\n%s", code, out.String())
	}
}

func readSheet(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func writeSheet(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A reviewer's round trip: export Persian, correct one text, confirm a
// stale one unchanged, mark one reviewed, import. Only those messages'
// lines change in the file; the status follows.
func TestExportEditImport(t *testing.T) {
	dir := copyLocales(t)
	editItalian(t, dir, "courses.enrolled", "✅ Ora sei iscritto al corso!")
	w := open(t, dir)
	var sheet bytes.Buffer
	if err := w.Export(&sheet, "fa", false); err != nil {
		t.Fatal(err)
	}
	rows := readSheet(t, sheet.Bytes())
	if !slices.Equal(rows[0], exchangeColumns) {
		t.Fatalf("header %v", rows[0])
	}
	col := func(name string) int { return slices.Index(exchangeColumns, name) }
	find := func(id, form string) []string {
		for _, r := range rows {
			if r[col("id")] == id && r[col("form")] == form {
				return r
			}
		}
		t.Fatalf("no row %s %s", id, form)
		return nil
	}
	if r := find("courses.enrolled", "other"); r[col("status")] != string(Stale) || r[col("source")] != "✅ Ora sei iscritto al corso!" {
		t.Fatalf("stale row %v", r)
	}
	if r := find("common.minutes", "one"); r[col("source")] != "{{.Count}} minuto" {
		t.Fatalf("plural row %v", r)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "active.fa.toml"))

	find("courses.enrolled", "other")[col("status")] = string(Translated)            // confirmed as is
	find("button.back", "other")[col("translation")] = "بازگشت"                      // corrected
	find("nav.menu", "other")[col("status")] = string(Reviewed)                      // reviewed as is
	find("nav.menu", "other")[col("reviewer")] = "Maryam"                            // by a native speaker
	find("help.text", "other")[col("translation")] = "یک موضوع انتخاب کنید.\nخط دوم" // two lines
	res, err := w.Import("fa.csv", bytes.NewReader(writeSheet(t, rows)), time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 2 || res.Restamp != 1 || res.Reviewed != 1 {
		t.Errorf("result %+v", res)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "active.fa.toml"))
	edited := map[string]bool{"courses.enrolled": true, "button.back": true, "help.text": true}
	beforeBlocks, afterBlocks := blocksByID(string(before)), blocksByID(string(after))
	for id, b := range beforeBlocks {
		if !edited[id] && afterBlocks[id] != b {
			t.Errorf("%s changed in active.fa.toml although it was not edited:\n%s\n→\n%s", id, b, afterBlocks[id])
		}
	}
	if len(afterBlocks) != len(beforeBlocks) {
		t.Errorf("%d messages before, %d after", len(beforeBlocks), len(afterBlocks))
	}
	w = open(t, dir)
	for id, want := range map[string]State{"courses.enrolled": Translated, "button.back": Translated, "nav.menu": Reviewed, "nav.back": Translated} {
		if got := w.StateOf("fa", id); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	if got := w.Catalog.Text("fa", "button.back", nil); got != "بازگشت" {
		t.Errorf("button.back = %q", got)
	}
	if got := w.Catalog.Text("fa", "help.text", nil); got != "یک موضوع انتخاب کنید.\nخط دوم" {
		t.Errorf("help.text = %q", got)
	}
	// The review lapses when the translation changes again.
	editFile(t, filepath.Join(dir, "active.fa.toml"), "nav.menu", "other", "فهرست")
	if got := open(t, dir).StateOf("fa", "nav.menu"); got != Translated {
		t.Errorf("nav.menu after a new translation: %s, want %s", got, Translated)
	}
}

func editFile(t *testing.T, path, id, key, value string) {
	t.Helper()
	data, _ := os.ReadFile(path)
	f := parseMessageFile(string(data))
	if err := f.set(id, key, value); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(f.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// blocksByID splits a message file into its messages' lines, by id.
func blocksByID(data string) map[string]string {
	f := parseMessageFile(data)
	out := map[string]string{}
	for _, l := range f.lines {
		if id, ok := strings.CutPrefix(l, "[\""); ok && strings.HasSuffix(id, "\"]") {
			id = strings.TrimSuffix(id, "\"]")
			if b, found := f.find(id); found {
				out[id] = strings.Join(f.lines[b.start:b.end], "\n")
			}
		}
	}
	return out
}

// A sheet with mistakes is refused whole, each mistake as FILE:LINE.
func TestImportRefusesMistakesAndWritesNothing(t *testing.T) {
	dir := copyLocales(t)
	w := open(t, dir)
	var sheet bytes.Buffer
	if err := w.Export(&sheet, "ps", false); err != nil {
		t.Fatal(err)
	}
	rows := readSheet(t, sheet.Bytes())
	col := func(name string) int { return slices.Index(exchangeColumns, name) }
	rows[1][col("translation")] = "بدل شوی"   // fine on its own
	rows[2][col("lang")] = "de"               // not a language of ours
	rows[3][col("source_hash")] = "sha1-0"    // exported from another Italian text
	rows[4][col("status")] = string(Reviewed) // without a reviewer
	rows[5][col("form")] = "few"              // Pashto has no "few"
	for i, r := range rows {
		if r[col("id")] == "start.greeting" {
			rows[i][col("translation")] = "سلام!" // {{.Name}} lost
		}
	}
	before, _ := os.ReadFile(filepath.Join(dir, "active.ps.toml"))
	_, err := w.Import("ps.csv", bytes.NewReader(writeSheet(t, rows)), time.Now())
	if err == nil {
		t.Fatal("a sheet with mistakes was imported")
	}
	for _, want := range []string{"ps.csv:3: lang \"de\"", "ps.csv:4: the Italian text of", "ps.csv:5: status reviewed needs the reviewer", "ps.csv:6: form \"few\"", "keep the placeholders"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
	after, _ := os.ReadFile(filepath.Join(dir, "active.ps.toml"))
	if !bytes.Equal(before, after) {
		t.Error("active.ps.toml changed although the import was refused")
	}
	if _, err := os.Stat(filepath.Join(dir, ReviewsFile)); err == nil {
		t.Error("reviews.csv written although the import was refused")
	}
}

// stamp gives the hash of today's Italian text to translations added
// without one (by hand, or before hashes).
func TestStampAddsMissingHashes(t *testing.T) {
	dir := copyLocales(t)
	path := filepath.Join(dir, "active.uk.toml")
	data, _ := os.ReadFile(path)
	f := parseMessageFile(string(data))
	b, _ := f.find("button.back")
	first, end, ok := f.keyLines(b, "hash")
	if !ok {
		t.Fatal("button.back has no hash in uk")
	}
	f.lines = splice(f.lines, first, end, nil)
	_ = os.WriteFile(path, []byte(f.String()), 0o644)
	w := open(t, dir)
	if got := w.StateOf("uk", "button.back"); got != Unhashed {
		t.Fatalf("without hash: %s", got)
	}
	n, err := w.Stamp("")
	if err != nil || n != 1 {
		t.Fatalf("stamped %d, %v", n, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
		t.Error("stamp did not restore the file as it was")
	}
}

func TestCLIErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	for _, args := range [][]string{{}, {"export", "-dir", ".."}, {"frobnicate", "-dir", ".."}, {"import", "-dir", ".."}} {
		if code := RunCLI(args, &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code := RunCLI([]string{"export", "-dir", "..", "-lang", "it"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "not a language to translate into") {
		t.Errorf("export -lang it: exit %d, %s", code, errOut.String())
	}
}
