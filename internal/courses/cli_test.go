package courses

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func runCLI(t *testing.T, c *Courses, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = RunCLI(context.Background(), c, args, &out, &errb)
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
	c, _ := newCourses(t, Config{})
	ctx := context.Background()

	for _, args := range [][]string{nil, {"import"}, {"import", "a.csv", "b.csv"}, {"export", "x"}, {"frobnicate"}} {
		code, out, errOut := runCLI(t, c, args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "usage: presidio courses import FILE | export [FILE.xlsx]") {
			t.Errorf("%v: code %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	if code, out, _ := runCLI(t, c, "help"); code != 0 || !strings.Contains(out, "all or") {
		t.Errorf("help: %d %q", code, out)
	}

	// A bad file: every problem on stderr as FILE:LINE, nothing imported.
	bad := writeFile(t, "bad.csv", badCSV)
	code, out, errOut := runCLI(t, c, "import", bad)
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if code != 1 || out != "" || len(lines) != len(badWant)+1 {
		t.Fatalf("bad import: code %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	for i, want := range badWant {
		if want = bad + strings.TrimPrefix(want, "bad.csv"); lines[i] != want {
			t.Errorf("stderr line %d = %q, want %q", i+1, lines[i], want)
		}
	}
	if last := lines[len(lines)-1]; last != fmt.Sprintf("presidio courses: nothing imported (%d problems in %s)", len(badWant), bad) {
		t.Errorf("last line = %q", last)
	}
	if all, _ := c.List(ctx); len(all) != 0 {
		t.Fatalf("%d courses written by a refused import", len(all))
	}

	// A good file, then the same again.
	good := writeFile(t, "good.csv", goodCSV)
	if code, out, errOut := runCLI(t, c, "import", good); code != 0 || out != "imported 2 courses (2 new, 0 updated)\n" || errOut != "" {
		t.Fatalf("good import: %d %q %q", code, out, errOut)
	}
	if code, out, _ := runCLI(t, c, "import", good); code != 0 || out != "imported 2 courses (0 new, 0 updated, 2 unchanged)\n" {
		t.Errorf("same import again: %d %q", code, out)
	}
	if site, err := c.ListBySite(ctx, "cpia-velletri"); err != nil || len(site) != 1 || site[0].ID != "velletri-alfa" {
		t.Errorf("ListBySite: %+v, %v", site, err)
	}
	if site, err := c.ListBySite(ctx, "cpia-albano"); err != nil || len(site) != 0 {
		t.Errorf("ListBySite of a site without courses: %+v, %v", site, err)
	}

	// Export with counts, and import of the export changes nothing.
	for i := range 3 {
		if _, err := c.Enrol(ctx, "velletri-alfa", person(int64(100+i)), "k"); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut = runCLI(t, c, "export")
	if code != 0 || errOut != "" || !strings.Contains(out, ",Piazza Esempio 2 Velletri,,,,3,0\n") {
		t.Fatalf("export: %d %q\n%s", code, errOut, out)
	}
	exported := writeFile(t, "export.csv", out)
	if code, out, _ := runCLI(t, c, "import", exported); code != 0 || out != "imported 2 courses (0 new, 0 updated, 2 unchanged)\n" {
		t.Errorf("import of the export: %d %q", code, out)
	}
	stored, _ := c.List(ctx)
	original, _ := ParseCSV("good.csv", strings.NewReader(goodCSV))
	for i := range stored {
		stored[i].UpdatedAt = original[i].UpdatedAt
	}
	if !reflect.DeepEqual(stored, original) {
		t.Errorf("stored after round trip:\n%+v\nwant\n%+v", stored, original)
	}

	// Lowering seats below the 3 enrolled is refused at its line; nothing
	// else in the file is written either.
	lowered := strings.Replace(goodCSV, ",12,Piazza", ",2,Piazza", 1)
	lowered = strings.Replace(lowered, "Italiano A1 (sera)", "Italiano A1 (sera) nuovo titolo", 1)
	code, out, errOut = runCLI(t, c, "import", writeFile(t, "lowered.csv", lowered))
	if code != 1 || out != "" || !strings.Contains(errOut, "lowered.csv:4: seats 2 for \"velletri-alfa\" is below the 3 places already taken") {
		t.Fatalf("lowering below the enrolment: %d %q %q", code, out, errOut)
	}
	if co, _ := c.Get(ctx, "frascati-a1-sera"); co.Title != "Italiano A1 (sera)" {
		t.Errorf("a refused file changed another course: %q", co.Title)
	}
	// Down to exactly the enrolment is fine.
	code, out, _ = runCLI(t, c, "import", writeFile(t, "three.csv", strings.Replace(goodCSV, ",12,Piazza", ",3,Piazza", 1)))
	if code != 0 || out != "imported 2 courses (0 new, 1 updated, 1 unchanged)\n" {
		t.Errorf("lowering to the enrolment: %d %q", code, out)
	}
	if _, err := c.Enrol(ctx, "velletri-alfa", person(999), "k"); !errors.Is(err, ErrFull) {
		t.Errorf("enrol after lowering to the enrolment: %v, want ErrFull", err)
	}
	if code, _, errOut := runCLI(t, c, "import", filepath.Join(t.TempDir(), "missing.csv")); code != 1 || !strings.Contains(errOut, "missing.csv") {
		t.Errorf("missing file: %d %q", code, errOut)
	}
}
