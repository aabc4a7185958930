package flows

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

//go:embed data/*.yaml
var embedded embed.FS

// DirEnv names the variable that makes Load read flow files from a folder
// instead of the built-in ones, to try edits without rebuilding.
const DirEnv = "PRESIDIO_FLOWS_DIR"

// Load reads the flows (from dir when not empty, else the embedded ones)
// and validates them against the texts and the registered actions. Any
// problem stops loading: the error lists every "file:line: message".
func Load(dir string, texts TextChecker, actions map[string]Action) (map[string]*Flow, error) {
	var fsys fs.FS
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%s: %q is not a folder", DirEnv, dir)
		}
		fsys = os.DirFS(dir)
	} else {
		sub, err := fs.Sub(embedded, "data")
		if err != nil {
			return nil, err
		}
		fsys = sub
	}
	flows, err := LoadFlows(fsys)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for name := range actions {
		names[name] = true
	}
	for _, required := range []string{"main", "human", "services"} {
		if flows[required] == nil {
			return nil, fmt.Errorf("%s.yaml:1: the flow %q is required", required, required)
		}
	}
	if problems := Validate(flows, texts, names); len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	return flows, nil
}

// IsLoadError reports whether err lists problems in flow files.
func IsLoadError(err error) bool {
	var le *LoadError
	return errors.As(err, &le)
}

// ActionNames lists registered action names, sorted (for messages).
func ActionNames(actions map[string]Action) string {
	var names []string
	for n := range actions {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
