package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/telegramtest"
	"github.com/prils-lazio/presidio/locales"
)

// oldMessage is a message id no chat has: a button pressed "under" it
// reaches the bot as an InaccessibleMessage (date 0), as Telegram sends for
// old or deleted messages.
const oldMessage = 999999

// Buttons pressed under messages the bot can no longer read belong to the
// person who pressed them: each is answered in their own language, their
// consent is stored in their own session, and /forget erases their data.
func TestOldButtonsBelongToThePresser(t *testing.T) {
	d := startDesk(t, t.TempDir())
	people := []telegramtest.User{
		{ID: 7001, FirstName: "Amira", LanguageCode: "ar"},
		{ID: 7002, FirstName: "Olena", LanguageCode: "uk"},
		{ID: 7003, FirstName: "Li", LanguageCode: "zh"},
		{ID: 7004, FirstName: "Rahim", LanguageCode: "bn"},
	}
	for _, p := range people {
		d.settle(d.emu.SendText(p, "/start"))
	}
	// Amira agrees under an old message; the others then ask for the
	// language list under old messages.
	d.settle(d.emu.PressButton(people[0], 0, oldMessage, "consent:yes"))
	if got := d.last(people[0].ID).Text; !strings.Contains(allText(d.emu.Sent(people[0].ID)), d.texts.Text("ar", "consent.thanks", nil)) {
		t.Fatalf("Amira's consent was not acknowledged in Arabic; last: %q", got)
	}
	for _, p := range people[1:] {
		d.settle(d.emu.PressButton(p, 0, oldMessage, "n:language"))
		lang := p.LanguageCode
		if got, want := d.last(p.ID).Text, d.texts.Text(lang, "start.choose_language", nil); got != want {
			t.Errorf("%s pressed an old button and got %q, want %q (%s)", p.FirstName, got, want, lang)
		}
	}
	// Olena did not agree: the privacy notice still asks her.
	d.settle(d.emu.SendText(people[1], "/start"))
	if !strings.Contains(d.last(people[1].ID).Text, d.texts.Text("uk", "privacy.notice", nil)) {
		t.Errorf("Olena's consent was taken from someone else's answer: %q", d.last(people[1].ID).Text)
	}

	// Amira erases her data under an old message: her name and consent go.
	d.settle(d.emu.SendText(people[0], "/forget"))
	d.settle(d.emu.PressButton(people[0], 0, oldMessage, "forget:yes"))
	d.waitIdle()
	traces, err := scanAll(context.Background(), d.a.Store, []string{"Amira", "7001"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		t.Errorf("left after /forget under an old message: %s", tr)
	}
}

// A property: random button data (known and unknown), pressed by many
// people under their own messages, under messages the bot cannot read any
// more, or with no message at all, never gives a person a reply in another
// person's language or naming another person.
func TestRandomButtonsNeverCrossPeople(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a few hundred updates")
	}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	d := startDesk(t, t.TempDir())
	people := []telegramtest.User{
		{ID: 7101, FirstName: "Amira", LanguageCode: "ar"},
		{ID: 7102, FirstName: "Olena", LanguageCode: "uk"},
		{ID: 7103, FirstName: "Wei", LanguageCode: "zh"},
		{ID: 7104, FirstName: "Rahim", LanguageCode: "bn"},
		{ID: 7105, FirstName: "Ioana", LanguageCode: "ro"},
		{ID: 7106, FirstName: "Dritan", LanguageCode: "sq"},
	}
	lang := map[int64]string{}
	for _, p := range people {
		lang[p.ID] = p.LanguageCode
	}
	fixed := []string{"n:menu", "n:back", "n:language", "n:human", "n:restart", "n:continue",
		"consent:yes", "consent:no", "forget:yes", "forget:no", "news:off", "news:on",
		"c:main:start:0", "c:main:start:3", "c:nowhere:x:1", "a:next", "fb:helped:C-000001",
		"crs:x", "", "zzz", "lang:", "lang:xx"}
	lines := languageLines(d.texts)
	var checked int
	caseOf := map[int64]string{}
	pressedFeedback := map[int64]bool{}
	check := func(p telegramtest.User, from int) {
		t.Helper()
		sent := d.emu.Sent(p.ID)
		for _, m := range sent[from:] {
			checked++
			for _, o := range people {
				if o.ID != p.ID && strings.Contains(m.Text, o.FirstName) {
					t.Fatalf("%s got a message naming %s: %q", p.FirstName, o.FirstName, m.Text)
				}
				if o.ID != p.ID && caseOf[o.ID] != "" && strings.Contains(m.Text, caseOf[o.ID]) {
					t.Fatalf("%s got a message naming %s's case %s: %q", p.FirstName, o.FirstName, caseOf[o.ID], m.Text)
				}
			}
			for _, line := range strings.Split(m.Text, "\n") {
				if langs, known := lines[strings.TrimSpace(line)]; known && !langs[lang[p.ID]] {
					t.Fatalf("%s (%s) got a line of another language: %q (languages %v)", p.FirstName, lang[p.ID], line, langs)
				}
			}
		}
	}
	for _, p := range people {
		from := len(d.emu.Sent(p.ID))
		d.settle(d.emu.SendText(p, "/start"))
		check(p, from)
	}
	// Two of them have a case, closed with the feedback question, whose
	// buttons the others will press too (forged or copied data).
	for i, p := range people[:2] {
		d.settle(d.emu.PressButton(p, 0, oldMessage, "consent:yes"))
		d.settle(d.emu.PressButton(p, 0, oldMessage, "n:human"))
		topics := d.emu.Topics(SandboxOperatorChat)
		if len(topics) != i+1 {
			t.Fatalf("%s's case was not opened", p.FirstName)
		}
		caseOf[p.ID] = fmt.Sprintf("C-%06d", i+1)
		d.operator(0, topics[i].ID, "/close fatto")
	}
	for i := 0; i < 240; i++ {
		p := people[rng.IntN(len(people))]
		sent := d.emu.Sent(p.ID)
		var data string
		switch r := rng.IntN(10); {
		case r < 4:
			data = fixed[rng.IntN(len(fixed))]
		case r < 6: // a button the bot really showed this person, or someone else
			var all []string
			for _, m := range d.emu.Sent(people[rng.IntN(len(people))].ID) {
				for _, row := range m.Buttons {
					for _, b := range row {
						if b.Data != "" {
							all = append(all, b.Data)
						}
					}
				}
			}
			if len(all) > 0 {
				data = all[rng.IntN(len(all))]
			}
		case r < 7: // their own language, chosen again
			data = "lang:" + p.LanguageCode
		default:
			b := make([]byte, rng.IntN(64))
			for j := range b {
				b[j] = byte(32 + rng.IntN(95))
			}
			data = string(b)
		}
		from := len(sent)
		var id int64
		switch form := rng.IntN(3); {
		case form == 0 && len(sent) > 0:
			id = d.emu.PressButton(p, 0, sent[rng.IntN(len(sent))].MessageID, data)
		case form == 1:
			raw := fmt.Sprintf(`{"callback_query":{"id":"q%d","from":{"id":%d,"is_bot":false,"first_name":%q,"language_code":%q},"chat_instance":"1","data":%q}}`,
				i, p.ID, p.FirstName, p.LanguageCode, data)
			var err error
			if id, err = d.emu.InjectRaw([]byte(raw)); err != nil {
				t.Fatal(err)
			}
		default:
			id = d.emu.PressButton(p, 0, oldMessage+i, data)
		}
		// Choosing a language, or erasing everything, legitimately changes
		// the language this person is answered in.
		if tag, ok := strings.CutPrefix(data, "lang:"); ok && d.texts.Has(tag, "language.changed") {
			lang[p.ID] = tag
		}
		if strings.HasPrefix(data, "fb:") {
			pressedFeedback[p.ID] = true
		}
		d.settle(id)
		check(p, from)
		if data == "forget:yes" {
			lang[p.ID] = p.LanguageCode
		}
	}
	if checked < 100 {
		t.Fatalf("only %d replies checked", checked)
	}
	// Feedback on a case came only from its own person's presses.
	for _, p := range people[:2] {
		c, err := d.a.desk.Cases.Get(context.Background(), caseOf[p.ID])
		if err != nil {
			t.Fatal(err)
		}
		if c.Feedback != "" && !pressedFeedback[p.ID] {
			t.Fatalf("%s's case got feedback %q though %s never pressed a feedback button", p.FirstName, c.Feedback, p.FirstName)
		}
	}
}

// languageLines maps each line of every person-facing text (without
// placeholders) to the languages whose text has it, after fallbacks.
func languageLines(texts *locales.Catalog) map[string]map[string]bool {
	lines := map[string]map[string]bool{}
	for _, id := range texts.IDs() {
		for _, l := range texts.Languages() {
			for _, line := range strings.Split(texts.Text(l.Tag, id, nil), "\n") {
				line = strings.TrimSpace(line)
				if len([]rune(line)) < 12 || strings.Contains(line, "<no value>") {
					continue
				}
				if lines[line] == nil {
					lines[line] = map[string]bool{}
				}
				lines[line][l.Tag] = true
			}
		}
	}
	return lines
}

// waitIdle waits until every queued message is sent and its outcome
// recorded (an ephemeral message is then deleted).
func (d *desk) waitIdle() {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for d.a.Runtime.Queued() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
}

// The session "other" that older versions shared between everyone who
// pressed a button under an old message is deleted at start.
func TestSharedOldButtonSessionDeletedAtStart(t *testing.T) {
	dir := t.TempDir()
	d := startDesk(t, dir)
	ctx := context.Background()
	shared, _ := d.a.Store.LoadSession(ctx, "other", 0)
	shared.Lang, shared.State = "ar", nil
	if err := d.a.Store.SaveSession(ctx, shared); err != nil {
		t.Fatal(err)
	}
	stopApp(d.a)
	d = startDesk(t, dir)
	if traces, _ := scanAll(ctx, d.a.Store, []string{`"_id":"other"`}); len(traces) > 0 {
		t.Fatalf("the shared session is still there: %v", traces)
	}
}
