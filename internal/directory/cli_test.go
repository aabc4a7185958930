package directory

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func runCLI(t *testing.T, d *Directory, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = RunCLI(context.Background(), d, args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunCLI(t *testing.T) {
	d, st, _ := newDirectory(t)

	// Usage errors: exit code 2 and the usage line.
	for _, args := range [][]string{nil, {"import"}, {"import", "a.csv", "b.csv"}, {"export", "x"}, {"frobnicate"}} {
		code, out, errOut := runCLI(t, d, args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "usage: presidio directory import FILE | export [FILE.xlsx]") {
			t.Errorf("%v: code %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	if code, out, _ := runCLI(t, d, "help"); code != 0 || !strings.Contains(out, "all or nothing") {
		t.Errorf("help: %d %q", code, out)
	}

	// A bad file: every problem on stderr as FILE:LINE, nothing imported.
	bad := writeFile(t, "bad.csv", badCSV)
	code, out, errOut := runCLI(t, d, "import", bad)
	if code != 1 || out != "" {
		t.Errorf("bad import: code %d, stdout %q", code, out)
	}
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if len(lines) != len(badWant)+1 {
		t.Fatalf("stderr has %d lines, want %d:\n%s", len(lines), len(badWant)+1, errOut)
	}
	for i, want := range badWant {
		if want = bad + strings.TrimPrefix(want, "bad.csv"); lines[i] != want {
			t.Errorf("stderr line %d = %q, want %q", i+1, lines[i], want)
		}
	}
	if last := lines[len(lines)-1]; last != "presidio directory: nothing imported (11 problems in "+bad+")" {
		t.Errorf("last line = %q", last)
	}
	if docs := rawDocs(t, st); len(docs) != 0 {
		t.Errorf("%d services written by a refused import", len(docs))
	}
	if code, _, errOut := runCLI(t, d, "import", filepath.Join(t.TempDir(), "missing.csv")); code != 1 || !strings.Contains(errOut, "missing.csv") {
		t.Errorf("missing file: %d %q", code, errOut)
	}

	// A good file, then the same again.
	good := writeFile(t, "good.csv", goodCSV)
	if code, out, errOut := runCLI(t, d, "import", good); code != 0 || out != "imported 2 services (2 new, 0 updated)\n" || errOut != "" {
		t.Errorf("good import: %d %q %q", code, out, errOut)
	}
	changed := writeFile(t, "changed.csv", strings.Replace(goodCSV, "Corsi di italiano.", "Corsi di italiano A1 e A2.", 1))
	if code, out, _ := runCLI(t, d, "import", changed); code != 0 || out != "imported 2 services (0 new, 1 updated, 1 unchanged)\n" {
		t.Errorf("re-import: %d %q", code, out)
	}

	// Export gives back what was imported.
	code, out, errOut = runCLI(t, d, "export")
	if code != 0 || errOut != "" {
		t.Fatalf("export: %d %q", code, errOut)
	}
	exported, errs := ParseCSV("export.csv", strings.NewReader(out))
	imported, _ := ParseCSV("changed.csv", strings.NewReader(strings.Replace(goodCSV, "Corsi di italiano.", "Corsi di italiano A1 e A2.", 1)))
	if len(errs) > 0 || !reflect.DeepEqual(exported, imported) {
		t.Errorf("export:\n%s\nerrors %v", out, errs)
	}

	// Retire.
	if code, out, _ := runCLI(t, d, "retire", "asl-frascati"); code != 0 || out != "retired asl-frascati\n" {
		t.Errorf("retire: %d %q", code, out)
	}
	if code, _, errOut := runCLI(t, d, "retire", "nobody"); code != 1 || errOut != "presidio directory: no service with id \"nobody\"\n" {
		t.Errorf("retire unknown: %d %q", code, errOut)
	}
	// The directory is not empty: no sample.
	if code, out, _ := runCLI(t, d, "sample"); code != 0 || !strings.Contains(out, "not loaded") {
		t.Errorf("sample on a full directory: %d %q", code, out)
	}
}
