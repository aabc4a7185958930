package escalation

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/store"
)

// Directory finds a territorial service by id (internal/directory does).
type Directory interface {
	Get(ctx context.Context, id string) (directory.Service, error)
	List(ctx context.Context, f directory.Filter) ([]directory.Service, error)
}

// cannedAnswers are the keys of /t: each is the locale id "canned.<key>",
// so the answer reaches the person in their own language.
var cannedAnswers = []string{"documents", "visit", "callback"}

// refer sends the person a service's details in their language (with a map
// pin) and records the referral with the operator's note (may be empty).
func (s *Service) refer(ctx context.Context, c cases.Case, in chat.Incoming, op cases.Operator, serviceID, note string) ([]chat.Outgoing, error) {
	if s.Directory == nil {
		return nil, nil
	}
	serviceID = strings.TrimSpace(serviceID)
	if serviceID == "" {
		return []chat.Outgoing{s.reply(c, in, s.deskText("console.desk.refer_usage", nil))}, nil
	}
	svc, err := s.Directory.Get(ctx, serviceID)
	if errors.Is(err, store.ErrNotFound) || err == nil && svc.Retired {
		return s.suggest(ctx, c, in, serviceID)
	}
	if err != nil {
		return nil, err
	}
	if _, err := s.Cases.Refer(ctx, c.ID, svc.ID, op, note); err != nil {
		return nil, err
	}
	s.observe(ctx, "referral", c, string(svc.Category), 0)
	out := []chat.Outgoing{s.reply(c, in, s.Texts.Text(OperatorLang, "case.referred_op", map[string]any{"Service": svc.Name}))}
	if c.ChatID == 0 || c.IsErased() {
		return out, nil
	}
	var b strings.Builder
	b.WriteString(s.Texts.Text(c.Lang, "case.referral", nil) + "\n\n" + svc.Name)
	if svc.Address != "" || svc.Municipality != "" {
		fmt.Fprintf(&b, "\n📍 %s %s", svc.Address, svc.Municipality)
	}
	if svc.Phone != "" {
		b.WriteString("\n📞 " + svc.Phone)
	}
	if svc.Website != "" {
		b.WriteString("\n🔗 " + svc.Website)
	}
	if d := svc.Describe(c.Lang); d != "" {
		b.WriteString("\n\n" + d)
	}
	if svc.Sample {
		b.WriteString("\n\n⚠️ " + s.Texts.Text(c.Lang, "directory.sample", nil))
	}
	out = append(out, chat.Outgoing{ChatID: c.ChatID, Text: b.String()})
	if svc.HasLocation() {
		out = append(out, chat.Outgoing{ChatID: c.ChatID, Venue: &chat.Venue{Latitude: svc.Latitude, Longitude: svc.Longitude, Title: svc.Name, Address: svc.Municipality}})
	}
	return out, nil
}

// canned sends a ready answer in the person's language, signed like any
// operator reply; an unknown key lists the known ones.
func (s *Service) canned(ctx context.Context, c cases.Case, in chat.Incoming, op cases.Operator, key string) ([]chat.Outgoing, error) {
	key = strings.TrimSpace(key)
	known := false
	for _, k := range cannedAnswers {
		known = known || k == key
	}
	if !known {
		keys := append([]string(nil), cannedAnswers...)
		sort.Strings(keys)
		return []chat.Outgoing{s.reply(c, in, s.Texts.Text(OperatorLang, "case.canned_keys", map[string]any{"Keys": strings.Join(keys, ", ")}))}, nil
	}
	in.Kind, in.Text = chat.KindText, s.Texts.Text(c.Lang, "canned."+key, nil)
	if key == "documents" { // before anyone sends a document: what happens to the copies
		in.Text += "\n\n" + s.Texts.Text(c.Lang, "privacy.documents", nil)
	}
	return s.toPerson(ctx, c, in, op, fmt.Sprintf("u%d", in.UpdateID), false)
}

// suggest answers a /refer with an unknown id: the services whose words
// are closest to it, as buttons, else how to search.
func (s *Service) suggest(ctx context.Context, c cases.Case, in chat.Incoming, id string) ([]chat.Outgoing, error) {
	found, err := s.searchServices(ctx, strings.NewReplacer("-", " ", "_", " ").Replace(id))
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return []chat.Outgoing{s.reply(c, in, s.Texts.Text(OperatorLang, "case.unknown_service", map[string]any{"ID": id})+"\n"+s.deskText("console.desk.refer_usage", nil))}, nil
	}
	m := s.reply(c, in, s.deskText("console.desk.refer_suggest", map[string]any{"ID": id}))
	m.Buttons = s.serviceButtons(c, found)
	return []chat.Outgoing{m}, nil
}
