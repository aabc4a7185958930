package app

import (
	"context"
	"strings"
	"testing"

	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// A person who said "Not now" to the privacy notice and then asks for a
// counsellor is told what a case keeps, who sees it and for how long, and
// no case is opened (nothing kept) until they agree. The notice names the
// data controller and the retention; /privacy shows the current choice.
func TestCaseOpensOnlyWithConsent(t *testing.T) {
	emu := telegramtest.New(telegramtest.Options{})
	t.Cleanup(emu.Close)
	emu.CreateForumGroup(SandboxOperatorChat, "Operatori")
	d := startDeskWith(t, t.TempDir(), emu, map[string]string{
		"PRESIDIO_DATA_CONTROLLER":  "CPIA 6 Castelli Romani, privacy@cpia.example",
		"PRESIDIO_CASE_RETENTION":   "4380h",
		"PRESIDIO_COURSE_RETENTION": "2160h",
	})
	tx := func(id string) string { return d.texts.Text("uk", id, nil) }
	d.say("/start")
	notice := d.last(d.person.ID).Text
	if !strings.Contains(notice, "CPIA 6 Castelli Romani, privacy@cpia.example") || !strings.Contains(notice, "/forget") || !strings.Contains(notice, " 6 ") {
		t.Fatalf("the notice does not name the controller, the retention (6 months) and /forget: %q", notice)
	}
	details := d.texts.Text("uk", "privacy.details", map[string]any{
		"Controller": "CPIA 6 Castelli Romani, privacy@cpia.example", "CaseMonths": "6", "CourseMonths": "3"})
	if !strings.Contains(notice, details) {
		t.Fatalf("the notice does not say that course enrolments are erased 3 months after the course: %q", notice)
	}
	d.press(d.person, d.person.ID, tx("consent.no"))
	d.press(d.person, d.person.ID, tx("main.b.permits"))
	d.press(d.person, d.person.ID, tx("permits.b.renew"))
	d.press(d.person, d.person.ID, "🙋 "+tx("nav.human"))
	ask := d.last(d.person.ID)
	if !strings.Contains(ask.Text, d.texts.Text("uk", "case.consent", map[string]any{"CaseMonths": "6"})) {
		t.Fatalf("no consent question with what a case keeps: %q", ask.Text)
	}
	if len(d.emu.Topics(SandboxOperatorChat)) != 0 {
		t.Fatal("a case topic was opened before consent")
	}
	if traces, _ := scanAll(context.Background(), d.a.Store, []string{"Olena"}); len(traces) > 0 {
		for _, tr := range traces {
			if strings.HasPrefix(tr, "cases") || strings.HasPrefix(tr, "case_") {
				t.Fatalf("kept before consent: %s", tr)
			}
		}
	}
	d.press(d.person, d.person.ID, tx("consent.no"))
	if len(d.emu.Topics(SandboxOperatorChat)) != 0 {
		t.Fatal("a case was opened after Not now")
	}
	d.say("/privacy")
	if got := d.last(d.person.ID).Text; !strings.Contains(got, tx("privacy.choice_no")) {
		t.Fatalf("/privacy does not show the current choice: %q", got)
	}
	// Asking again and agreeing opens the case.
	d.say("/menu")
	d.press(d.person, d.person.ID, "🙋 "+tx("nav.human"))
	d.press(d.person, d.person.ID, "✅ "+tx("consent.yes"))
	topics := d.emu.Topics(SandboxOperatorChat)
	if len(topics) != 1 {
		t.Fatalf("after agreeing: %d topics", len(topics))
	}
	d.say("/privacy")
	if got := d.last(d.person.ID).Text; !strings.Contains(got, tx("privacy.choice_yes")) {
		t.Fatalf("/privacy after agreeing: %q", got)
	}
	// The ready answer asking for documents warns first; a note's
	// confirmation says it is part of the case.
	d.operator(0, topics[0].ID, "/t documents")
	if got := d.last(d.person.ID).Text; !strings.Contains(got, tx("privacy.documents")) {
		t.Fatalf("documents asked without the warning: %q", got)
	}
	d.operator(0, topics[0].ID, "/note chiede del permesso")
	if got := d.last(SandboxOperatorChat).Text; got != d.texts.Text("it", "case.note_saved_kept", nil) {
		t.Fatalf("note confirmation: %q", got)
	}
}
