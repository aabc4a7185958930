package escalation

import (
	"context"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/directory"
)

// maxFound bounds the services offered as buttons.
const maxFound = 8

// searchServices returns the directory's services (not retired) that match
// the words of query (of three letters or more) in their id, name, category, town, address or Italian
// description, best first: every word matching before some, more words
// before fewer, then by name.
func (s *Service) searchServices(ctx context.Context, query string) ([]directory.Service, error) {
	var words []string
	for _, w := range strings.Fields(fold(query)) {
		if len([]rune(w)) >= 3 { // "di", "a", "no" match everything
			words = append(words, w)
		}
	}
	if len(words) == 0 || s.Directory == nil {
		return nil, nil
	}
	all, err := s.Directory.List(ctx, directory.Filter{})
	if err != nil {
		return nil, err
	}
	type hit struct {
		svc   directory.Service
		score int
	}
	var hits []hit
	for _, svc := range all {
		hay := fold(strings.Join([]string{svc.ID, svc.Name, string(svc.Category), svc.Municipality, svc.Address, svc.Describe(OperatorLang)}, " "))
		n := 0
		for _, w := range words {
			if strings.Contains(hay, w) {
				n++
			}
		}
		if n > 0 {
			hits = append(hits, hit{svc, n})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].svc.Name < hits[j].svc.Name
	})
	var out []directory.Service
	for _, h := range hits {
		if len(out) == maxFound || (h.score < len(words) && len(out) > 0 && len(words) > 1 && hits[0].score == len(words)) {
			break // once full matches exist, partial ones are noise
		}
		out = append(out, h.svc)
	}
	return out, nil
}

// fold lower-cases and strips accents, so "Velletri" finds "velletri" and
// "caritas" finds "Càritas".
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// serviceButtons offers services as buttons that refer the case to them.
func (s *Service) serviceButtons(c cases.Case, found []directory.Service) [][]chat.Button {
	rows := make([][]chat.Button, 0, len(found))
	for _, svc := range found {
		label := svc.Name
		if svc.Municipality != "" {
			label += " · " + svc.Municipality
		}
		rows = append(rows, []chat.Button{{Text: label, Data: dataRefer + c.ID + ":" + svc.ID}})
	}
	return rows
}

// servicesCommand is /services <words>: matching services as buttons that
// refer the person with one tap.
func (s *Service) servicesCommand(ctx context.Context, c cases.Case, in chat.Incoming, query string) ([]chat.Outgoing, error) {
	if s.Directory == nil {
		return nil, nil
	}
	query = strings.TrimSpace(query)
	if query == "" {
		return []chat.Outgoing{s.reply(c, in, s.deskText("console.desk.services_usage", nil))}, nil
	}
	found, err := s.searchServices(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return []chat.Outgoing{s.reply(c, in, s.deskText("console.desk.services_none", map[string]any{"Query": query}))}, nil
	}
	m := s.reply(c, in, s.deskText("console.desk.services_found", map[string]any{"Query": query}))
	m.Buttons = s.serviceButtons(c, found)
	return []chat.Outgoing{m}, nil
}

// referPressed handles a tap on a found service (op:ref:<case>:<service>).
func (s *Service) referPressed(ctx context.Context, in chat.Incoming, op cases.Operator) ([]chat.Outgoing, error) {
	caseID, serviceID, ok := strings.Cut(strings.TrimPrefix(in.Data, dataRefer), ":")
	if !ok {
		return nil, nil
	}
	c, err := s.Cases.Get(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return s.refer(ctx, c, chat.Incoming{}, op, serviceID, "")
}
