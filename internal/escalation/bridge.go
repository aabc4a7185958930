package escalation

import (
	"context"
	"strings"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
)

// Translator is the language bridge's machine translation (a
// *translate.Client): text from source to target language.
type Translator interface {
	Translate(ctx context.Context, text, source, target string) (string, error)
}

// bridged is what the bridge made of one text.
type bridged struct {
	// Translation is empty when the bridge is off for the case or failed.
	Translation string
	// Failed: the bridge was on but the service did not answer; the text
	// goes untranslated with a short note.
	Failed bool
}

// bridgeOn reports whether the case's messages are machine-translated: a
// service is configured, no operator switched it off for the case, and
// the person does not write Italian.
func (s *Service) bridgeOn(c cases.Case) bool {
	return s.Translator != nil && !c.BridgeOff && c.Lang != "" && baseLang(c.Lang) != OperatorLang
}

func baseLang(l string) string {
	b, _, _ := strings.Cut(strings.ToLower(l), "-")
	return b
}

// translate runs the bridge on text (from → to) when it is on for the
// case. Failures are counted by the client and never block the message.
func (s *Service) translate(ctx context.Context, c cases.Case, text, from, to string) bridged {
	if !s.bridgeOn(c) || strings.TrimSpace(text) == "" {
		return bridged{}
	}
	tr, err := s.Translator.Translate(ctx, text, from, to)
	if err != nil || strings.TrimSpace(tr) == "" {
		if s.Log != nil {
			s.Log.Warn("language bridge: translation failed", "case", c.ID, "from", from, "to", to, "error", err)
		}
		return bridged{Failed: true}
	}
	return bridged{Translation: tr}
}

// intoItalian translates what the person wrote, for the operators.
func (s *Service) intoItalian(ctx context.Context, c cases.Case, text string) bridged {
	return s.translate(ctx, c, text, c.Lang, OperatorLang)
}

// withItalian is a person's text as operators read it in the topic: the
// original, then the labelled machine translation (or a note that it
// failed).
func (s *Service) withItalian(c cases.Case, original string, b bridged) string {
	switch {
	case b.Translation != "":
		return original + "\n\n" + s.deskText("console.desk.bridge_label", map[string]any{"Lang": c.Lang}) + ":\n" + b.Translation
	case b.Failed:
		return original + "\n\n" + s.deskText("console.desk.bridge_failed_in", nil)
	}
	return original
}

// toPersonText is an operator's Italian text as the person gets it: the
// machine translation first, the Italian original beside it (🇮🇹), and a
// one-line note in the person's reviewed language that a machine
// translated it. A failed translation sends the Italian with a note.
func (s *Service) toPersonText(c cases.Case, italian string, b bridged) string {
	switch {
	case b.Translation != "":
		return b.Translation + "\n\n🇮🇹 " + italian + "\n\n" + s.Texts.Text(c.Lang, "case.machine_translated", nil)
	case b.Failed:
		return italian + "\n\n" + s.Texts.Text(c.Lang, "case.translation_failed", nil)
	}
	return italian
}

// bridgeCommand is /bridge [on|off]: switches the bridge for the case, or
// says how it stands.
func (s *Service) bridgeCommand(ctx context.Context, c cases.Case, in chat.Incoming, arg string) ([]chat.Outgoing, error) {
	if s.Translator == nil {
		return []chat.Outgoing{s.reply(c, in, s.deskText("console.desk.bridge_unavailable", nil))}, nil
	}
	var err error
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "on":
		c, err = s.Cases.SetBridge(ctx, c.ID, true)
	case "off":
		c, err = s.Cases.SetBridge(ctx, c.ID, false)
	}
	if err != nil {
		return nil, err
	}
	return []chat.Outgoing{s.reply(c, in, s.bridgeState(c))}, nil
}

// bridgeState says whether the bridge is on for the case (operators' text).
func (s *Service) bridgeState(c cases.Case) string {
	if c.BridgeOff {
		return s.deskText("console.desk.bridge_off", nil)
	}
	return s.deskText("console.desk.bridge_on", map[string]any{"Lang": c.Lang})
}

// SetBridge switches the bridge for a case from the console; the topic is
// told, so both places agree.
func (s *Service) SetBridge(ctx context.Context, caseID string, on bool) (cases.Case, []chat.Outgoing, error) {
	c, err := s.Cases.SetBridge(ctx, caseID, on)
	if err != nil {
		return c, nil, err
	}
	if c.ThreadID == 0 || s.OperatorChat == 0 {
		return c, nil, nil
	}
	return c, []chat.Outgoing{s.toTopic(c, s.bridgeState(c))}, nil
}

// BridgeAvailable reports whether a translation service is configured.
func (s *Service) BridgeAvailable() bool { return s.Translator != nil }
