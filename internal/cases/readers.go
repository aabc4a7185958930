package cases

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colReaders keeps which languages each operator reads ("operator_langs"):
// one small document per operator, keyed by the operator's ID, so it grows
// with the staff, never with traffic.
const colReaders = "operator_langs"

// readerDoc is an operator's stored languages.
type readerDoc struct {
	ID    string   `bson:"_id"`
	Name  string   `bson:"name"`
	Langs []string `bson:"langs"`
}

var langCode = regexp.MustCompile(`^[a-z]{2,3}$`)

// ParseLanguages reads a list of language codes as an operator writes it
// ("ar, fr en"): lower-cased, deduplicated, sorted. A word that is not a
// two- or three-letter code is returned as bad.
func ParseLanguages(s string) (langs []string, bad []string) {
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		if !langCode.MatchString(w) {
			bad = append(bad, w)
			continue
		}
		if !slices.Contains(langs, w) {
			langs = append(langs, w)
		}
	}
	slices.Sort(langs)
	return langs, bad
}

// SetLanguages records the languages op reads (replacing what was there;
// an empty list forgets them). Codes must be as ParseLanguages returns.
func (s *Cases) SetLanguages(ctx context.Context, op Operator, langs []string) error {
	var p problems
	checkOperator(&p, "operator", op)
	for _, l := range langs {
		if !langCode.MatchString(l) {
			p.add("language %q is not a two- or three-letter code", l)
		}
	}
	if err := p.err("languages of " + op.ID); err != nil {
		return err
	}
	coll := s.st.Collection(colReaders)
	filter := bson.D{{Key: "_id", Value: op.ID}}
	if len(langs) == 0 {
		if _, err := coll.DeleteOne(ctx, filter); err != nil {
			return fmt.Errorf("cases: forgetting the languages of %s: %w", op.ID, err)
		}
		return nil
	}
	doc := readerDoc{ID: op.ID, Name: op.Name, Langs: langs}
	if _, err := coll.ReplaceOne(ctx, filter, doc, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("cases: recording the languages of %s: %w", op.ID, err)
	}
	return nil
}

// Languages returns the languages op reads (nil when none are recorded).
func (s *Cases) Languages(ctx context.Context, opID string) ([]string, error) {
	var d readerDoc
	err := s.st.Collection(colReaders).FindOne(ctx, bson.D{{Key: "_id", Value: opID}}).Decode(&d)
	if err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, nil
		}
		return nil, fmt.Errorf("cases: languages of %s: %w", opID, err)
	}
	return d.Langs, nil
}

// Readers returns the operators who read lang, by name.
func (s *Cases) Readers(ctx context.Context, lang string) ([]Operator, error) {
	lang = strings.ToLower(lang)
	if base, _, ok := strings.Cut(lang, "-"); ok {
		lang = base
	}
	cur, err := s.st.Collection(colReaders).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("cases: reading operators' languages: %w", err)
	}
	var docs []readerDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("cases: reading operators' languages: %w", err)
	}
	var out []Operator
	for _, d := range docs {
		if slices.Contains(d.Langs, lang) {
			out = append(out, Operator{ID: d.ID, Name: d.Name})
		}
	}
	slices.SortFunc(out, func(a, b Operator) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
