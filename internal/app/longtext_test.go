package app

import (
	"net/url"
	"strings"
	"testing"

	"github.com/prils-lazio/presidio/internal/console"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// A console reply as long as Telegram allows still reaches the person and
// the case's topic whole, although the signature added after it makes it
// longer than one message: it arrives in two.
func TestLongConsoleReplyArrivesWhole(t *testing.T) {
	d := startDesk(t, t.TempDir())
	thread := d.openCase()
	op := d.loginAs("giulia", console.RoleOperator)
	words := strings.Repeat("parola ", 700) // 4,900 characters
	text := words[:4090] + "FINE"
	person := len(d.emu.Sent(d.person.ID))
	group := len(d.emu.Sent(SandboxOperatorChat))
	if resp := op.post("/cases/C-000001/reply", op.get("/cases/C-000001"), url.Values{"text": {text}}); resp.StatusCode >= 400 {
		t.Fatalf("reply refused: %d", resp.StatusCode)
	}
	d.waitIdle()
	joined := func(sent []telegramtest.Sent) string {
		var b strings.Builder
		for _, m := range sent {
			b.WriteString(m.Text)
		}
		return strings.Join(strings.Fields(b.String()), "")
	}
	want := strings.Join(strings.Fields(text), "")
	if got := joined(d.emu.Sent(d.person.ID)[person:]); !strings.Contains(got, want) {
		t.Fatalf("the person did not get the whole reply (%d of %d characters)", len(got), len(want))
	}
	var inTopic []telegramtest.Sent
	for _, m := range d.emu.Sent(SandboxOperatorChat)[group:] {
		if m.ThreadID == thread {
			inTopic = append(inTopic, m)
		}
	}
	if got := joined(inTopic); !strings.Contains(got, want) {
		t.Fatalf("the topic did not get the whole reply (%d of %d characters)", len(got), len(want))
	}
}
