package translations

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// ReviewsFile is the file, in the locales folder, that records which
// translations a native speaker has reviewed.
const ReviewsFile = "reviews.csv"

// reviewColumns is the header of ReviewsFile.
var reviewColumns = []string{"lang", "id", "form", "source_hash", "text_hash", "reviewer", "date"}

// Review is one native speaker's check of one translation (one plural form
// of one message in one language), made from one Italian text. It counts
// only while both the Italian text (SourceHash) and the translation
// (TextHash) are the ones reviewed.
type Review struct {
	Lang, ID, Form       string
	SourceHash, TextHash string
	Reviewer, Date       string
}

// Reviews are the rows of ReviewsFile, in file order (new rows are
// appended, so parallel reviews merge line by line).
type Reviews struct {
	rows    []Review
	changed bool
}

func readReviews(path string) (*Reviews, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Reviews{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(reviewColumns)
	header, err := r.Read()
	if err == io.EOF {
		return &Reviews{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !slices.Equal(header, reviewColumns) {
		return nil, fmt.Errorf("%s:1: the header must be %s", path, strings.Join(reviewColumns, ","))
	}
	rv := &Reviews{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rv, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rv.rows = append(rv.rows, Review{rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[6]})
	}
}

// Has reports whether a review covers this translation of this Italian
// text.
func (rv *Reviews) Has(lang, id, form, sourceHash, textHash string) bool {
	for _, r := range rv.rows {
		if r.Lang == lang && r.ID == id && r.Form == form && r.SourceHash == sourceHash && r.TextHash == textHash {
			return true
		}
	}
	return false
}

// reviewer returns who reviewed this translation, "" if nobody did.
func (rv *Reviews) reviewer(lang, id, form, sourceHash, textHash string) string {
	for i := len(rv.rows) - 1; i >= 0; i-- {
		r := rv.rows[i]
		if r.Lang == lang && r.ID == id && r.Form == form && r.SourceHash == sourceHash && r.TextHash == textHash {
			return r.Reviewer
		}
	}
	return ""
}

// Add records a review (once: an identical review is not added again).
func (rv *Reviews) Add(r Review) {
	if rv.Has(r.Lang, r.ID, r.Form, r.SourceHash, r.TextHash) {
		return
	}
	rv.rows = append(rv.rows, r)
	rv.changed = true
}

func (rv *Reviews) write(path string) error {
	if !rv.changed {
		return nil
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(reviewColumns)
	for _, r := range rv.rows {
		_ = w.Write([]string{r.Lang, r.ID, r.Form, r.SourceHash, r.TextHash, r.Reviewer, r.Date})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	rv.changed = false
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
