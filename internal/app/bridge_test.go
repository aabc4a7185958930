package app

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/prils-lazio/presidio/internal/console"
	"github.com/prils-lazio/presidio/internal/telegramtest"
	"github.com/prils-lazio/presidio/internal/translate/translatetest"
)

// startBridgeDesk is a desk whose person writes Arabic, with the language
// bridge pointed at a fake LibreTranslate over HTTP ("" URL: bridge unset).
func startBridgeDesk(t *testing.T, url string) *desk {
	t.Helper()
	emu := telegramtest.New(telegramtest.Options{})
	t.Cleanup(emu.Close)
	emu.CreateForumGroup(SandboxOperatorChat, "Operatori")
	d := startDeskEnv(t, t.TempDir(), emu, map[string]string{"PRESIDIO_TRANSLATE_URL": url, "PRESIDIO_TRANSLATE_KEY": "k3y"})
	d.person = telegramtest.User{ID: 5006, FirstName: "Amal", LanguageCode: "ar"}
	return d
}

func (d *desk) sentTo(chatID int64, contains string) bool {
	for _, m := range d.emu.Sent(chatID) {
		if strings.Contains(m.Text, contains) {
			return true
		}
	}
	return false
}

func (d *desk) metric(line string) bool {
	var b strings.Builder
	d.a.Metrics.Write(&b)
	return strings.Contains(b.String(), line)
}

// A person writing Arabic and a counsellor writing Italian understand each
// other through the bridge, honestly labelled; ready answers keep the
// reviewed translation; the bridge can be switched off for the case; a
// failing service never blocks a message.
func TestLanguageBridgeBothWays(t *testing.T) {
	fake := translatetest.New()
	defer fake.Close()
	fake.Key = "k3y"
	d := startBridgeDesk(t, fake.URL)
	ctx := context.Background()

	// Giulia says, in the group's general topic, that she reads Arabic.
	d.operator(0, 0, "/languages ar fr")
	if got := d.last(SandboxOperatorChat).Text; !strings.Contains(got, "ar, fr") {
		t.Fatalf("/languages answer: %q", got)
	}
	thread := d.openCase()
	card := d.emu.Sent(SandboxOperatorChat)[1]
	if !strings.Contains(card.Text, "Amal") || !strings.Contains(card.Text, "Giulia") || !strings.Contains(card.Text, "/bridge off") {
		t.Fatalf("the card does not name who reads Arabic or the bridge: %q", card.Text)
	}
	notice := d.texts.Text("ar", "case.bridge_notice", nil)
	inPrivacy, atOpening := false, false
	for _, m := range d.emu.Sent(d.person.ID) {
		inPrivacy = inPrivacy || strings.HasPrefix(m.Text, d.texts.Text("ar", "privacy.notice", nil)) && strings.HasSuffix(m.Text, notice)
		atOpening = atOpening || m.Text == notice
	}
	if !inPrivacy || !atOpening {
		t.Fatalf("the person was not told that messages pass through the translation service: privacy notice %v, case opening %v", inPrivacy, atOpening)
	}

	// Person → counsellor: the original with its Italian translation under it.
	arabic := "أحتاج مساعدة في تجديد تصريح الإقامة"
	d.say(arabic)
	inTopic := d.last(SandboxOperatorChat)
	if inTopic.ThreadID != thread || !strings.HasPrefix(inTopic.Text, arabic) ||
		!strings.Contains(inTopic.Text, "Traduzione automatica") || !strings.Contains(inTopic.Text, translatetest.Translated(arabic, "it")) {
		t.Fatalf("person's message in the topic: %q", inTopic.Text)
	}
	if r := fake.Requests()[0]; r.Source != "ar" || r.Target != "it" || r.APIKey != "k3y" {
		t.Fatalf("translation request %+v", r)
	}

	// Counsellor → person: in Arabic, the Italian original beside it, and the note.
	italian := "Porti il passaporto in Questura martedì."
	d.operator(0, thread, italian)
	got := d.last(d.person.ID).Text
	if !strings.Contains(got, translatetest.Translated(italian, "ar")) || !strings.Contains(got, "🇮🇹 "+italian) ||
		!strings.Contains(got, d.texts.Text("ar", "case.machine_translated", nil)) {
		t.Fatalf("reply as the person got it: %q", got)
	}
	msgs, _ := d.a.cases.Messages(ctx, "C-000001")
	if len(msgs) != 2 || msgs[0].Translation != translatetest.Translated(arabic, "it") || msgs[1].Translation != translatetest.Translated(italian, "ar") {
		t.Fatalf("stored messages (the console shows their translations): %+v", msgs)
	}

	// A ready answer keeps the reviewed Arabic text: no machine.
	calls := len(fake.Requests())
	d.operator(0, thread, "/t documents")
	if got := d.last(d.person.ID).Text; !strings.Contains(got, d.texts.Text("ar", "canned.documents", nil)) || strings.Contains(got, "🇮🇹") {
		t.Fatalf("ready answer: %q", got)
	}
	if len(fake.Requests()) != calls {
		t.Fatal("a ready answer went through the machine translation")
	}

	// Switched off for the case (a mediator joined): nothing is translated.
	d.operator(1, thread, "/bridge off")
	if got := d.last(SandboxOperatorChat).Text; !strings.Contains(got, "/bridge on") {
		t.Fatalf("/bridge off answer: %q", got)
	}
	d.say("شكرا")
	if m := d.last(SandboxOperatorChat); m.Method != "copyMessage" || m.Text != "شكرا" {
		t.Fatalf("with the bridge off the message is copied as it is: %+v", m)
	}
	d.operator(1, thread, "Prego!")
	if got := d.last(d.person.ID).Text; strings.Contains(got, "🇮🇹") || !strings.HasSuffix(got, "Prego!") {
		t.Fatalf("with the bridge off the reply is as written: %q", got)
	}
	if len(fake.Requests()) != calls {
		t.Fatal("the bridge called the service while off")
	}
	d.operator(1, thread, "/bridge on")

	// The service fails: messages pass untranslated, with a short note.
	fake.Fail(true)
	d.say("هل أنتم هناك؟")
	if got := d.last(SandboxOperatorChat).Text; !strings.HasPrefix(got, "هل أنتم هناك؟") || !strings.Contains(got, "non riuscita") {
		t.Fatalf("failed translation in the topic: %q", got)
	}
	d.operator(0, thread, "Sì, ci siamo.")
	sent := d.emu.Sent(d.person.ID)
	toPerson := sent[len(sent)-1].Text
	if !strings.Contains(toPerson, "Sì, ci siamo.") || !strings.Contains(toPerson, d.texts.Text("ar", "case.translation_failed", nil)) {
		t.Fatalf("failed translation to the person: %q", toPerson)
	}
	if got := d.last(SandboxOperatorChat).Text; !strings.Contains(got, "in italiano") {
		t.Fatalf("the counsellor was not told the translation failed: %q", got)
	}
	if !d.metric(`presidio_translations_total{outcome="ok"} 2`) || !d.metric(`presidio_translations_total{outcome="failed"} 2`) {
		var b strings.Builder
		d.a.Metrics.Write(&b)
		t.Fatalf("metrics:\n%s", b.String())
	}
}

// Unset, the bridge changes nothing and nothing leaves the machine.
func TestLanguageBridgeUnset(t *testing.T) {
	fake := translatetest.New()
	defer fake.Close()
	d := startBridgeDesk(t, "")
	thread := d.openCase()
	d.say("مرحبا")
	if m := d.last(SandboxOperatorChat); m.Method != "copyMessage" || m.Text != "مرحبا" {
		t.Fatalf("person's message: %+v", m)
	}
	d.operator(0, thread, "Buongiorno")
	if got := d.last(d.person.ID).Text; strings.Contains(got, "🇮🇹") || !strings.HasSuffix(got, "Buongiorno") {
		t.Fatalf("reply: %q", got)
	}
	if d.sentTo(d.person.ID, d.texts.Text("ar", "case.bridge_notice", nil)) {
		t.Fatal("the person was told about a translation service that is not there")
	}
	d.operator(0, thread, "/bridge on")
	if got := d.last(SandboxOperatorChat).Text; !strings.Contains(got, "PRESIDIO_TRANSLATE_URL") {
		t.Fatalf("/bridge without a service: %q", got)
	}
	if d.metric("presidio_translations_total") {
		t.Fatal("translation metrics without a service")
	}
}

// In the console: the person's messages show their Italian translation,
// a reply goes out translated, the bridge switches per case, and a
// counsellor records the languages they read, named on new case cards.
func TestLanguageBridgeInTheConsole(t *testing.T) {
	fake := translatetest.New()
	defer fake.Close()
	d := startBridgeDesk(t, fake.URL)
	op := d.consoleLogin("amal", console.RoleOperator, "")
	page := op.get("/languages")
	if !strings.Contains(page, "arabo") || !strings.Contains(page, `href="/console/languages"`) {
		t.Fatalf("languages page: %.600s", page)
	}
	page = op.post("/languages", url.Values{"lang": {"ar", "fr"}, "others": {"de"}})
	if !strings.Contains(page, "Lingue salvate") || !strings.Contains(page, `value="ar" checked`) || !strings.Contains(page, `value="de"`) {
		t.Fatalf("after saving: %.900s", page)
	}
	if page = op.post("/languages", url.Values{"others": {"arabic!"}}); !strings.Contains(page, "arabic!") {
		t.Fatalf("a bad code is named: %.600s", page)
	}

	thread := d.openCase()
	if card := d.emu.Sent(SandboxOperatorChat)[0]; !strings.Contains(card.Text, "amal") {
		t.Fatalf("the card does not name the console counsellor who reads Arabic: %q", card.Text)
	}
	d.say("أين مكتب الهجرة؟")
	page = op.get("/cases/C-000001")
	if !strings.Contains(page, "Traduzione automatica in italiano") || !strings.Contains(page, translatetest.Translated("أين مكتب الهجرة؟", "it")) {
		t.Fatalf("case page without the translation: %.2000s", page)
	}
	op.post("/cases/C-000001/reply", url.Values{"text": {"In via Roma 1."}})
	if got := d.last(d.person.ID).Text; !strings.Contains(got, translatetest.Translated("In via Roma 1.", "ar")) || !strings.Contains(got, "🇮🇹 In via Roma 1.") {
		t.Fatalf("console reply as the person got it: %q", got)
	}
	page = op.get("/cases/C-000001")
	if !strings.Contains(page, "tradotto automaticamente in arabo") {
		t.Fatalf("the reply's translation is not shown: %.3000s", page)
	}
	page = op.post("/cases/C-000001/bridge", url.Values{"on": {"0"}})
	if !strings.Contains(page, "Spento per questo caso") {
		t.Fatalf("after switching off: %.2000s", page)
	}
	if got := d.last(SandboxOperatorChat); got.ThreadID != thread || !strings.Contains(got.Text, "/bridge on") {
		t.Fatalf("the topic was not told: %+v", got)
	}
}
