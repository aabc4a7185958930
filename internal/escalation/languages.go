package escalation

import (
	"context"
	"strings"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
)

// languagesCommand is /languages [codes] anywhere in the operators' group:
// with codes it records the languages the operator reads (replacing the
// old list), without it says what is recorded. Case cards name who reads
// the person's language.
func (s *Service) languagesCommand(ctx context.Context, in chat.Incoming, op cases.Operator, arg string) ([]chat.Outgoing, error) {
	answer := func(text string) ([]chat.Outgoing, error) {
		return []chat.Outgoing{{ChatID: s.OperatorChat, ThreadID: in.ThreadID, ReplyTo: in.MessageID, Text: text}}, nil
	}
	if strings.TrimSpace(arg) != "" {
		langs, bad := cases.ParseLanguages(arg)
		if len(bad) > 0 || len(langs) == 0 {
			if len(bad) == 0 {
				bad = []string{strings.TrimSpace(arg)}
			}
			return answer(s.deskText("console.desk.languages_bad", map[string]any{"Bad": strings.Join(bad, " ")}))
		}
		if err := s.Cases.SetLanguages(ctx, op, langs); err != nil {
			return nil, err
		}
	}
	langs, err := s.Cases.Languages(ctx, op.ID)
	if err != nil {
		return nil, err
	}
	if len(langs) == 0 {
		return answer(s.deskText("console.desk.languages_none", map[string]any{"Name": op.Name}))
	}
	return answer(s.deskText("console.desk.languages_set", map[string]any{"Name": op.Name, "Langs": strings.Join(langs, ", ")}))
}

// readersLine names, for a case card, the operators who read the person's
// language ("" for Italian or an unknown language).
func (s *Service) readersLine(ctx context.Context, c cases.Case) string {
	if c.Lang == "" || baseLang(c.Lang) == OperatorLang {
		return ""
	}
	readers, err := s.Cases.Readers(ctx, baseLang(c.Lang))
	if err != nil {
		return ""
	}
	if len(readers) == 0 {
		return s.deskText("console.desk.readers_none", map[string]any{"Lang": c.Lang})
	}
	names := make([]string, len(readers))
	for i, r := range readers {
		names[i] = r.Name
	}
	return s.deskText("console.desk.readers", map[string]any{"Lang": c.Lang, "Names": strings.Join(names, ", ")})
}

// deskText is an operators' text added with the desk's growth: Italian,
// from the console's catalogue (DeskTexts), else from Texts.
func (s *Service) deskText(id string, data map[string]any) string {
	if s.DeskTexts != nil {
		return s.DeskTexts.Text(OperatorLang, id, data)
	}
	return s.Texts.Text(OperatorLang, id, data)
}
