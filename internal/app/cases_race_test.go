package app

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/console"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// A counsellor closes a case in the console at the moment another closes
// it in its Telegram topic: the case is closed once, with one outcome, and
// the person is told once and asked once whether it helped.
func TestConsoleAndDeskCloseACaseAtOnce(t *testing.T) {
	d := startDesk(t, t.TempDir())
	cc := d.consoleLogin("marco", console.RoleOperator, "")
	ctx := context.Background()
	closedText := d.texts.Text("en", "case.closed", nil)
	for round := 1; round <= 8; round++ {
		person := telegramtest.User{ID: int64(7100 + round), FirstName: "P", LanguageCode: "en"}
		d.settle(d.emu.SendText(person, "/start"))
		d.settle(d.emu.SendText(person, "I want to talk to a person"))
		d.press(person, person.ID, "✅ "+d.texts.Text("en", "consent.yes", nil))
		topics := d.emu.Topics(SandboxOperatorChat)
		thread := topics[len(topics)-1].ID
		c, ok, err := d.a.cases.ByThread(ctx, thread)
		if err != nil || !ok {
			t.Fatalf("round %d: no case for topic %d: %v", round, thread, err)
		}
		page := cc.get("/cases/" + c.ID)
		m := csrfRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("round %d: no CSRF token on the case page", round)
		}
		var wg sync.WaitGroup
		var update int64
		var postErr error
		start := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			update = d.emu.SendGroupText(d.ops[0], SandboxOperatorChat, thread, "/close risolto al telefono")
		}()
		go func() {
			defer wg.Done()
			<-start
			resp, err := cc.http.PostForm(cc.base+"/cases/"+c.ID+"/close", url.Values{"outcome_code": {"no_reply"}, "csrf": {m[1]}})
			if err == nil {
				resp.Body.Close()
			}
			postErr = err
		}()
		close(start)
		wg.Wait()
		if postErr != nil {
			t.Fatal(postErr)
		}
		d.settle(update)
		for d.a.Runtime.Queued() > 0 {
			time.Sleep(time.Millisecond)
		}
		told := 0
		for _, s := range d.emu.Sent(person.ID) {
			if s.Text == closedText {
				told++
			}
		}
		got, err := d.a.cases.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != cases.StatusClosed || (got.Outcome != "no_reply" && got.Outcome != "risolto al telefono") {
			t.Fatalf("round %d: the case is %s with outcome %q", round, got.Status, got.Outcome)
		}
		if told != 1 {
			t.Fatalf("round %d: the person was told %d times that the case is closed (and asked as often for feedback)", round, told)
		}
		notices := 0
		for _, s := range d.emu.Sent(SandboxOperatorChat) {
			if s.ThreadID == thread && strings.HasPrefix(s.Text, "✅") {
				notices++
			}
		}
		if notices > 1 {
			t.Fatalf("round %d: the topic shows %d closing notices", round, notices)
		}
	}
}

// A counsellor refers the person in the console, with a note for
// colleagues, while another refers them with /refer in the topic: both
// referrals are in the case, the console's with its note, and the person
// receives both services.
func TestConsoleAndDeskReferAtOnceKeepBoth(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	cc := d.consoleLogin("marco", console.RoleOperator, "")
	ctx := context.Background()
	page := cc.get("/cases/C-000001")
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the case page")
	}
	var wg sync.WaitGroup
	var update int64
	var postErr error
	start := make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		<-start
		update = d.emu.SendGroupText(d.ops[0], SandboxOperatorChat, thread, "/refer asl-frascati")
	}()
	go func() {
		defer wg.Done()
		<-start
		resp, err := cc.http.PostForm(cc.base+"/cases/C-000001/refer", url.Values{"service": {"cpi-frascati"}, "note": {"colloquio giovedì"}, "csrf": {m[1]}})
		if err == nil {
			resp.Body.Close()
		}
		postErr = err
	}()
	close(start)
	wg.Wait()
	if postErr != nil {
		t.Fatal(postErr)
	}
	d.settle(update)
	for d.a.Runtime.Queued() > 0 {
		time.Sleep(time.Millisecond)
	}
	c, err := d.a.cases.Get(ctx, "C-000001")
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]string{}
	for _, r := range c.Referrals {
		notes[r.ServiceID] = r.Note
	}
	if len(c.Referrals) != 2 || notes["cpi-frascati"] != "colloquio giovedì" {
		t.Fatalf("referrals %+v; want both, the console's with its note", c.Referrals)
	}
	referral := d.texts.Text("uk", "case.referral", nil)
	got := 0
	for _, s := range d.emu.Sent(d.person.ID) {
		if strings.HasPrefix(s.Text, referral) {
			got++
		}
	}
	if got != 2 {
		t.Fatalf("the person received %d referrals, want 2", got)
	}
}
