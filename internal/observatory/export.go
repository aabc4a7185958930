package observatory

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/prils-lazio/presidio/internal/csvrows"
)

// WriteCSV writes s for planners: one column per dimension, then events
// and people (and median_value when the table has it); hidden cells read
// the marker ("<5"). The first line names the columns.
func WriteCSV(w io.Writer, s Suppressed) error {
	cw := csvrows.NewWriter(w)
	header := make([]string, 0, len(s.by)+3)
	for _, d := range s.by {
		header = append(header, string(d))
	}
	header = append(header, "events", "people")
	if s.median {
		header = append(header, "median_value")
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("observatory: writing CSV: %w", err)
	}
	for _, c := range s.rows {
		rec := append([]string(nil), c.Keys...)
		rec = append(rec, s.EventsText(c), s.PeopleText(c))
		if s.median {
			rec = append(rec, s.MedianText(c))
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("observatory: writing CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("observatory: writing CSV: %w", err)
	}
	return nil
}

// jsonTable is the shape of WriteJSON's document.
type jsonTable struct {
	From       string           `json:"from"`
	To         string           `json:"to"`
	Kinds      []Kind           `json:"kinds,omitempty"`
	By         []Dimension      `json:"by"`
	MinPeople  int              `json:"min_people"`
	Suppressed string           `json:"suppressed_marker"`
	Rows       []map[string]any `json:"rows"`
}

// WriteJSON writes s as one JSON object: the period (from inclusive, to
// exclusive, RFC 3339), the dimensions, the threshold and the rows, each
// with its keys by dimension name, "events" and "people" (and
// "median_value"): numbers, or the marker string for hidden cells.
func WriteJSON(w io.Writer, s Suppressed) error {
	doc := jsonTable{
		From: s.from.UTC().Format(time.RFC3339), To: s.to.UTC().Format(time.RFC3339),
		Kinds: s.kinds, By: s.by, MinPeople: s.min, Suppressed: s.Marker(),
		Rows: []map[string]any{},
	}
	if doc.By == nil {
		doc.By = []Dimension{}
	}
	for _, c := range s.rows {
		row := map[string]any{}
		for i, d := range s.by {
			row[string(d)] = c.Keys[i]
		}
		if c.Suppressed {
			row["events"], row["people"] = s.Marker(), s.Marker()
			if s.median {
				row["median_value"] = s.Marker()
			}
		} else {
			row["events"], row["people"] = c.Events, c.People
			if s.median {
				row["median_value"] = c.Median
			}
		}
		doc.Rows = append(doc.Rows, row)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("observatory: writing JSON: %w", err)
	}
	return nil
}
