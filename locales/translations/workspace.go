// Package translations is the translators' workflow on Presidio's go-i18n
// files (locales/active.<lang>.toml): which translations are complete,
// stale or not yet reviewed by a native speaker, a CSV export a reviewer
// can work in with a spreadsheet, and its import back into the files.
//
// It keeps go-i18n's own format: every translation stores, in go-i18n's
// "hash" field, the hash of the Italian text it was made from
// (locales.SourceHash, as `goi18n merge` writes it). When an Italian text
// changes, its translations are stale: locales' tests name them and goi18n
// merge would ask for them again. Reviews by native speakers are kept
// beside the files, in locales/reviews.csv (go-i18n messages have no field
// for them), each for one translation of one Italian text: a review
// lapses when either changes.
package translations

import (
	"crypto/sha1"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/prils-lazio/presidio/locales"
)

// Forms are the CLDR plural forms in the order they are written.
var Forms = []string{"zero", "one", "two", "few", "many", "other"}

// Workspace is a locales folder read from disk: the catalog, the raw
// files (to edit in place) and the reviews.
type Workspace struct {
	Dir     string
	Catalog *locales.Catalog
	files   map[string]*messageFile // by language tag
	plurals map[string][]string     // plural forms by language tag
	Reviews *Reviews
}

// Open reads the locales folder dir (active.<lang>.toml and reviews.csv).
func Open(dir string) (*Workspace, error) {
	c, err := locales.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	w := &Workspace{Dir: dir, Catalog: c, files: map[string]*messageFile{}, plurals: map[string][]string{}}
	for _, tag := range c.LanguageTags() {
		if w.plurals[tag], err = locales.PluralForms(tag); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(w.path(tag))
		if err != nil {
			return nil, err
		}
		w.files[tag] = parseMessageFile(string(data))
	}
	if w.Reviews, err = readReviews(filepath.Join(dir, ReviewsFile)); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Workspace) path(tag string) string {
	return filepath.Join(w.Dir, "active."+tag+".toml")
}

// Translations lists the languages to translate into: every loaded one but
// Italian, in the language picker's order.
func (w *Workspace) Translations() []locales.Language {
	var out []locales.Language
	for _, l := range w.Catalog.Languages() {
		if l.Tag != locales.SourceLanguage {
			out = append(out, l)
		}
	}
	return out
}

// forms returns the plural forms a translation of id needs in lang: only
// "other" for a message that is not plural in Italian.
func (w *Workspace) forms(lang, id string) []string {
	src := w.Catalog.Message(locales.SourceLanguage, id)
	if src == nil || !isPlural(src) {
		return []string{"other"}
	}
	return w.plurals[lang]
}

func isPlural(m *i18n.Message) bool {
	return m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
}

// formText returns form of m ("" if m is nil or lacks it).
func formText(m *i18n.Message, form string) string {
	if m == nil {
		return ""
	}
	switch form {
	case "zero":
		return m.Zero
	case "one":
		return m.One
	case "two":
		return m.Two
	case "few":
		return m.Few
	case "many":
		return m.Many
	}
	return m.Other
}

// textHash identifies a translation's text in a review.
func textHash(s string) string { return fmt.Sprintf("sha1-%x", sha1.Sum([]byte(s))) }

// State is where one translation (one message in one language) stands.
type State string

const (
	// Missing: the language has no text (or lacks a plural form it needs).
	Missing State = "missing"
	// Stale: made from an older Italian text (its hash differs).
	Stale State = "stale"
	// Unhashed: translated, but without the hash of its Italian source, so
	// a later change of the Italian text cannot be told (`stamp` adds it).
	Unhashed State = "no source hash"
	// Translated: up to date, not yet reviewed by a native speaker.
	Translated State = "not reviewed"
	// Reviewed: up to date and reviewed by a native speaker.
	Reviewed State = "reviewed"
)

// StateOf says where the translation of id into lang stands.
func (w *Workspace) StateOf(lang, id string) State {
	m := w.Catalog.Message(lang, id)
	forms := w.forms(lang, id)
	for _, f := range forms {
		if strings.TrimSpace(formText(m, f)) == "" {
			return Missing
		}
	}
	switch {
	case m.Hash == "":
		return Unhashed
	case m.Hash != w.Catalog.CurrentSourceHash(id):
		return Stale
	}
	for _, f := range forms {
		if !w.Reviews.Has(lang, id, f, m.Hash, textHash(formText(m, f))) {
			return Translated
		}
	}
	return Reviewed
}

// Summary counts one language's translations by state.
type Summary struct {
	Language locales.Language
	Messages int
	Count    map[State]int
	// StaleIDs names the stale translations.
	StaleIDs []string
}

// Complete reports whether every message is translated from today's
// Italian text (reviewed or not).
func (s Summary) Complete() bool { return s.Count[Missing] == 0 && s.Count[Stale] == 0 }

// Status summarizes every language but Italian.
func (w *Workspace) Status() []Summary {
	ids := w.Catalog.IDs()
	var out []Summary
	for _, l := range w.Translations() {
		s := Summary{Language: l, Messages: len(ids), Count: map[State]int{}}
		for _, id := range ids {
			st := w.StateOf(l.Tag, id)
			s.Count[st]++
			if st == Stale {
				s.StaleIDs = append(s.StaleIDs, id)
			}
		}
		slices.Sort(s.StaleIDs)
		out = append(out, s)
	}
	return out
}

// Stamp writes today's Italian source hash into the translations of lang
// (every language when lang is "") that have none, and returns how many it
// stamped. Use it once a translation without a hash has been checked
// against today's Italian text (new messages added by hand, the files as
// they were before hashes).
func (w *Workspace) Stamp(lang string) (int, error) {
	n := 0
	for _, l := range w.Translations() {
		if lang != "" && l.Tag != lang {
			continue
		}
		for _, id := range w.Catalog.IDs() {
			if w.StateOf(l.Tag, id) != Unhashed {
				continue
			}
			if err := w.files[l.Tag].set(id, "hash", w.Catalog.CurrentSourceHash(id)); err != nil {
				return 0, fmt.Errorf("active.%s.toml: %w", l.Tag, err)
			}
			n++
		}
	}
	return n, w.save()
}

// save checks the edited files by loading them from a scratch copy, then
// writes them (and the reviews) to the folder. Nothing is written when the
// check fails.
func (w *Workspace) save() error {
	tmp, err := os.MkdirTemp("", "presidio-locales-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for tag, f := range w.files {
		if err := os.WriteFile(filepath.Join(tmp, "active."+tag+".toml"), []byte(f.String()), 0o644); err != nil {
			return err
		}
	}
	if _, err := locales.LoadDir(tmp); err != nil {
		return fmt.Errorf("the edited files would not load, nothing written: %w", err)
	}
	for tag, f := range w.files {
		old, _ := os.ReadFile(w.path(tag))
		if string(old) == f.String() {
			continue
		}
		if err := os.WriteFile(w.path(tag), []byte(f.String()), 0o644); err != nil {
			return err
		}
	}
	return w.Reviews.write(filepath.Join(w.Dir, ReviewsFile))
}
