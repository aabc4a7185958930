package translations

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/csvrows"
	"github.com/prils-lazio/presidio/locales"
)

// exchangeColumns are the columns of the review CSV, in the order Export
// writes them. A reviewer edits translation, status and reviewer; the
// other columns say what is translated and from which Italian text.
var exchangeColumns = []string{"lang", "id", "form", "status", "source", "description", "translation", "reviewer", "source_hash"}

// Export writes, for language lang, one CSV row per message and plural
// form: the Italian source and its description, today's translation, its
// state (missing, stale, no source hash, not reviewed, reviewed) and the
// hash of the Italian text. With todo, only rows that are not reviewed.
func (w *Workspace) Export(out io.Writer, lang string, todo bool) error {
	if lang == locales.SourceLanguage || w.files[lang] == nil {
		return fmt.Errorf("%q is not a language to translate into (languages: %s)", lang, strings.Join(w.tags(), ", "))
	}
	cw := csv.NewWriter(out)
	_ = cw.Write(exchangeColumns)
	for _, id := range w.Catalog.IDs() {
		state := w.StateOf(lang, id)
		if todo && state == Reviewed {
			continue
		}
		src := w.Catalog.Message(locales.SourceLanguage, id)
		m := w.Catalog.Message(lang, id)
		hash := w.Catalog.CurrentSourceHash(id)
		for _, form := range w.forms(lang, id) {
			source := formText(src, form)
			if source == "" {
				source = src.Other
			}
			text := formText(m, form)
			_ = cw.Write([]string{lang, id, form, string(state), source, src.Description, text,
				w.Reviews.reviewer(lang, id, form, hash, textHash(text)), hash})
		}
	}
	cw.Flush()
	return cw.Error()
}

func (w *Workspace) tags() []string {
	var out []string
	for _, l := range w.Translations() {
		out = append(out, l.Tag)
	}
	return out
}

// LineError is one problem of an imported file, "FILE:LINE: what is wrong".
type LineError struct {
	File string
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// ImportResult counts what an import changed.
type ImportResult struct {
	Updated  int // translations whose text changed
	Restamp  int // unchanged translations confirmed for today's Italian text
	Reviewed int // translations marked reviewed
}

var placeholderPattern = regexp.MustCompile(`{{-?\s*\.([A-Za-z_][A-Za-z0-9_]*)`)

func placeholders(s string) map[string]bool {
	out := map[string]bool{}
	for _, m := range placeholderPattern.FindAllStringSubmatch(s, -1) {
		out[m[1]] = true
	}
	return out
}

// Import reads a CSV written by Export and edited by a reviewer (name is
// the file name used in errors). A row whose translation differs from the
// file's is written into active.<lang>.toml with the hash of today's
// Italian text; a stale or unhashed row kept unchanged, with status "not
// reviewed" or "reviewed", is confirmed for today's Italian text; status
// "reviewed" (with a reviewer) records a review in reviews.csv. An empty
// translation is skipped. Every row is checked first: with any problem
// Import returns every problem as a *LineError and writes nothing.
func (w *Workspace) Import(name string, r io.Reader, today time.Time) (ImportResult, error) {
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &LineError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	type row struct {
		line                                         int
		lang, id, form, status, text, reviewer, hash string
	}
	var rows []row
	var col map[string]int
	csvrows.Read(r, strings.Join(exchangeColumns, ","), fail,
		func(header []string) bool {
			col = map[string]int{}
			for i, h := range header {
				col[strings.ToLower(strings.TrimSpace(h))] = i
			}
			ok := true
			for _, need := range []string{"lang", "id", "form", "status", "translation", "source_hash"} {
				if _, has := col[need]; !has {
					fail(1, "missing column %q (export a file with `presidio translations export` and keep its header)", need)
					ok = false
				}
			}
			return ok
		},
		func(line int, rec []string) {
			get := func(c string) string {
				if i, ok := col[c]; ok && i < len(rec) {
					return rec[i]
				}
				return ""
			}
			rows = append(rows, row{line, strings.TrimSpace(get("lang")), strings.TrimSpace(get("id")), strings.TrimSpace(get("form")),
				strings.TrimSpace(get("status")), strings.TrimSpace(get("translation")), strings.TrimSpace(get("reviewer")), strings.TrimSpace(get("source_hash"))})
		})
	seen := map[string]int{}
	for _, rw := range rows {
		key := rw.lang + "\x00" + rw.id + "\x00" + rw.form
		switch src := w.Catalog.Message(locales.SourceLanguage, rw.id); {
		case rw.lang == locales.SourceLanguage || w.files[rw.lang] == nil:
			fail(rw.line, "lang %q is not a language to translate into (languages: %s)", rw.lang, strings.Join(w.tags(), ", "))
		case src == nil:
			fail(rw.line, "no Italian message %q", rw.id)
		case !slices.Contains(w.forms(rw.lang, rw.id), rw.form):
			fail(rw.line, "form %q: %s of %s needs the forms %s", rw.form, rw.lang, rw.id, strings.Join(w.forms(rw.lang, rw.id), ", "))
		case seen[key] != 0:
			fail(rw.line, "%s %s %s is already on line %d", rw.lang, rw.id, rw.form, seen[key])
		case rw.hash != w.Catalog.CurrentSourceHash(rw.id):
			fail(rw.line, "the Italian text of %s changed after this file was exported: export %s again and copy your translation into it", rw.id, rw.lang)
		case !slices.Contains([]string{string(Missing), string(Stale), string(Unhashed), string(Translated), string(Reviewed)}, rw.status):
			fail(rw.line, "status %q: write %q or %q", rw.status, Translated, Reviewed)
		case rw.status == string(Reviewed) && rw.reviewer == "":
			fail(rw.line, "status reviewed needs the reviewer's name in the reviewer column")
		case rw.status == string(Reviewed) && rw.text == "":
			fail(rw.line, "status reviewed, but the translation is empty")
		case rw.text != "" && !maps.Equal(placeholders(rw.text), placeholders(src.Other)):
			fail(rw.line, "the translation must keep the placeholders of the Italian text exactly (%s)", placeholderList(src.Other))
		}
		if seen[key] == 0 {
			seen[key] = rw.line
		}
	}
	if len(errs) > 0 {
		return ImportResult{}, errors.Join(errs...)
	}
	var res ImportResult
	date := today.Format(time.DateOnly)
	for _, rw := range rows {
		if rw.text == "" {
			continue
		}
		m := w.Catalog.Message(rw.lang, rw.id)
		f := w.files[rw.lang]
		if m == nil {
			f.add(rw.id, [][2]string{{"hash", rw.hash}})
		}
		changed := formText(m, rw.form) != rw.text
		if changed {
			if err := f.set(rw.id, rw.form, rw.text); err != nil {
				return ImportResult{}, err
			}
			res.Updated++
		}
		if (changed || rw.status == string(Translated) || rw.status == string(Reviewed)) && (m == nil || m.Hash != rw.hash) {
			if err := f.set(rw.id, "hash", rw.hash); err != nil {
				return ImportResult{}, err
			}
			if !changed {
				res.Restamp++
			}
		}
		if rw.status == string(Reviewed) {
			w.Reviews.Add(Review{Lang: rw.lang, ID: rw.id, Form: rw.form, SourceHash: rw.hash, TextHash: textHash(rw.text), Reviewer: rw.reviewer, Date: date})
			res.Reviewed++
		}
	}
	return res, w.save()
}

func placeholderList(s string) string {
	names := slices.Sorted(maps.Keys(placeholders(s)))
	if len(names) == 0 {
		return "none"
	}
	return "{{." + strings.Join(names, "}} {{.") + "}}"
}
