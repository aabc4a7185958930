package flows

import (
	"strconv"

	"github.com/prils-lazio/presidio/internal/chat"
)

// Privacy is what the privacy notice must name besides what is kept: who
// is responsible for the data, and how long a case keeps its content.
type Privacy struct {
	// Controller is the data controller (PRESIDIO_DATA_CONTROLLER); empty:
	// the notice says to ask the help point.
	Controller string
	// CaseMonths is how many months a closed case keeps its personal
	// content (PRESIDIO_CASE_RETENTION).
	CaseMonths int
	// CourseMonths is how many months after a course's end its
	// enrolments (names, phones) are kept (PRESIDIO_COURSE_RETENTION);
	// 0 or less says 6, the default.
	CourseMonths int
}

// textData is the data every privacy text can use.
func (p Privacy) textData(texts Catalog, lang string) map[string]any {
	controller := p.Controller
	if controller == "" {
		controller = texts.Text(lang, "privacy.controller_unset", nil)
	}
	months := p.CaseMonths
	if months <= 0 {
		months = 12
	}
	courseMonths := p.CourseMonths
	if courseMonths <= 0 {
		courseMonths = 6
	}
	return map[string]any{"Controller": controller, "CaseMonths": strconv.Itoa(months), "CourseMonths": strconv.Itoa(courseMonths)}
}

// privacyNotice is the notice with the data controller, retention periods
// and /mydata and /forget, and the translation service when the language
// bridge is on.
func (b *Bot) privacyNotice(t Turn) chat.Outgoing {
	m := b.say(t, "privacy.notice")
	m.Text += "\n\n" + b.Texts.Text(t.Lang, "privacy.details", b.Privacy.textData(b.Texts, t.Lang))
	if b.Translating { // the language bridge: messages pass through the translation service
		m.Text += "\n" + b.Texts.Text(t.Lang, "case.bridge_notice", nil)
	}
	return m
}

// privacyChoices is /privacy: the notice, the person's current choice and
// the buttons to change it.
func (b *Bot) privacyChoices(st *State, t Turn) chat.Outgoing {
	m := b.privacyNotice(t)
	choice := "privacy.choice_none"
	switch st.Consent {
	case "yes":
		choice = "privacy.choice_yes"
	case "no":
		choice = "privacy.choice_no"
	}
	m.Text += "\n\n" + b.Texts.Text(t.Lang, choice, nil)
	m.Buttons = consentButtons(&run{e: b.Engine, st: st, t: t})
	return m
}
