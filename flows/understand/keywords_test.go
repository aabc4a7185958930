package understand

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every embedded keyword file loads (no unknown intent, empty keyword or
// duplicate), every language has a file, and every language covers every
// intent.
func TestKeywordFilesCoverEveryLanguageAndIntent(t *testing.T) {
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	files, err := embedded.ReadDir("keywords")
	if err != nil {
		t.Fatal(err)
	}
	var langs []string
	for _, f := range files {
		langs = append(langs, strings.TrimSuffix(f.Name(), ".txt"))
	}
	slices.Sort(langs)
	want := Languages()
	slices.Sort(want)
	if !slices.Equal(langs, want) {
		t.Errorf("keyword files for %v, want exactly %v", langs, want)
	}
	for _, l := range Languages() {
		for _, in := range Intents() {
			if m.covered[l][in] == 0 {
				t.Errorf("%s.txt has no keyword for %s", l, in)
			}
		}
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadDirErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown intent", "health: medico\npermit: permesso\n", "it.txt:2: unknown intent \"permit\""},
		{"empty keyword", "# c\n\nhealth: medico,, dottore\n", "it.txt:3: empty keyword"},
		{"trailing comma", "health: medico,\n", "it.txt:1: empty keyword"},
		{"punctuation only", "health: medico, ?!\n", "it.txt:1: empty keyword"},
		{"duplicate", "health: medico\nhealth: dottore, Médico\n", "it.txt:2: duplicate keyword \"Médico\" (also on line 1)"},
		{"duplicate across intents", "health: visita\nwork: visita\n", "it.txt:2: duplicate keyword \"visita\""},
		{"no colon", "health medico\n", "it.txt:1: want \"intent: keyword"},
		{"bad weight", "health: medico^x\n", "it.txt:1: bad weight"},
		{"zero weight", "health: medico^0\n", "it.txt:1: bad weight"},
		{"star inside", "work: lav*oro\n", "it.txt:1: keyword \"lav*oro\": * goes only at the end"},
		{"ordinary phrase", "ordinary: per favore\n", "it.txt:1: ordinary \"per favore\": want single words"},
		{"digit stem", "urgent-help: 11*\n", "it.txt:1: keyword \"11*\": a stem* must end in letters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"it.txt": tc.text})
			_, err := LoadDir(dir)
			if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, tc.want)) && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), filepath.Join(dir, "it.txt")+":") {
				t.Errorf("err = %v, want it to start with the file name", err)
			}
		})
	}
	if _, err := LoadDir(t.TempDir()); err == nil {
		t.Error("LoadDir of an empty folder: no error")
	}
}

func TestValidate(t *testing.T) {
	var all strings.Builder
	for _, in := range Intents() {
		all.WriteString(in + ": parola" + strings.ReplaceAll(in, "-", "") + "\n")
	}
	files := map[string]string{}
	for _, l := range Languages() {
		files[l+".txt"] = all.String()
	}
	m, err := LoadDir(writeFiles(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil {
		t.Fatalf("complete files: %v", err)
	}

	delete(files, "zh.txt")                                             // a language with no file
	files["pt.txt"] = all.String()                                      // a language Presidio does not speak
	files["fr.txt"] = strings.Replace(all.String(), "thanks: ", "#", 1) // an intent with no keyword
	m, err = LoadDir(writeFiles(t, files))
	if err != nil {
		t.Fatal(err)
	}
	err = m.Validate()
	for _, want := range []string{`language "zh" has no keyword file zh.txt`, `pt.txt: unknown language "pt"`, `fr.txt: no keyword for intent "thanks"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to say %q", err, want)
		}
	}
}

func TestLoadDirMatchesLikeLoad(t *testing.T) {
	m, err := LoadDir("keywords")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := m.Match("it", "mi serve il medico"); !ok || got.Intent != Health {
		t.Errorf("LoadDir: Match = %v, %v", got, ok)
	}
}
