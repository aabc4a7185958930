package flows_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/flows"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/metrics"
	"github.com/prils-lazio/presidio/internal/signup"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
	"github.com/prils-lazio/presidio/locales"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts from what the bot answers now")

// fixedNow is the transcripts' clock: Wednesday 4 March 2026, 10:30 in Rome.
var fixedNow = time.Date(2026, 3, 4, 10, 30, 0, 0, time.FixedZone("CET", 3600))

// conversation is a real runtime with the real flows, texts and sample
// directory, driven through the Bot API emulator like a person would.
type conversation struct {
	t    *testing.T
	emu  *telegramtest.Server
	rt   *bot.Runtime
	user telegramtest.User
}

func newConversation(t *testing.T, lang string) *conversation {
	t.Helper()
	texts, err := locales.LoadFromEnv() // PRESIDIO_LOCALES_DIR lets a translator try edits
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t)
	dir := directory.New(st)
	if _, err := dir.LoadSample(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return fixedNow }
	catalogue, err := courses.New(context.Background(), st, courses.Config{})
	if err != nil {
		t.Fatal(err)
	}
	desk := &signup.Service{Courses: catalogue, Texts: texts, Now: now}
	if _, err := desk.LoadSample(context.Background()); err != nil {
		t.Fatal(err)
	}
	actions := flows.Actions(dir, texts, now, desk)
	defs, err := flows.Load("", texts, actions)
	if err != nil {
		t.Fatal(err)
	}
	handler := &flows.Bot{Engine: flows.NewEngine(defs, texts), Texts: texts, Actions: actions, Now: now, Understand: understander(t), Courses: desk}
	emu := telegramtest.New(telegramtest.Options{})
	t.Cleanup(emu.Close)
	rt, err := bot.New(bot.Config{Token: emu.Token(), APIURL: emu.URL(), PollTimeout: time.Second}, st, handler,
		func(l string) string { return texts.Text(l, "error.apology", nil) }, metrics.NewRegistry(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Stop(context.Background()) })
	return &conversation{t: t, emu: emu, rt: rt, user: telegramtest.User{ID: 777, FirstName: "Amina", LanguageCode: lang}}
}

// settle waits until the update is handled and every message sent.
func (c *conversation) settle(updateID int64) {
	deadline := time.Now().Add(15 * time.Second)
	for !c.rt.Handled(updateID) || c.rt.Queued() > 0 {
		if time.Now().After(deadline) {
			c.t.Fatalf("update %d not handled in time", updateID)
		}
		time.Sleep(time.Millisecond)
	}
}

// act performs one user line: text, [button label], 📍 lat,lon or 📞 phone.
func (c *conversation) act(line string) {
	var id int64
	switch {
	case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
		label := strings.TrimSuffix(strings.TrimPrefix(line, "["), "]")
		msgID, data := c.findButton(label)
		if msgID == 0 {
			c.t.Fatalf("no button %q in the chat", label)
		}
		id = c.emu.PressButton(c.user, c.user.ID, msgID, data)
	case strings.HasPrefix(line, "📍 "):
		lat, lon, _ := strings.Cut(strings.TrimPrefix(line, "📍 "), ",")
		la, _ := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		lo, _ := strconv.ParseFloat(strings.TrimSpace(lon), 64)
		id = c.emu.SendLocation(c.user, la, lo)
	case strings.HasPrefix(line, "📞 "):
		id = c.emu.SendContact(c.user, strings.TrimPrefix(line, "📞 "))
	default:
		id = c.emu.SendText(c.user, line)
	}
	c.settle(id)
}

// findButton looks for a button label in the newest messages first.
func (c *conversation) findButton(label string) (int, string) {
	sent := c.emu.Sent(c.user.ID)
	for i := len(sent) - 1; i >= 0; i-- {
		for _, row := range sent[i].Buttons {
			for _, b := range row {
				if b.Text == label && b.Data != "" {
					return sent[i].MessageID, b.Data
				}
			}
		}
	}
	return 0, ""
}

// render writes bot messages as the golden files show them.
func render(sent []telegramtest.Sent) string {
	var b strings.Builder
	for _, m := range sent {
		switch {
		case m.Method == "sendVenue":
			fmt.Fprintf(&b, "< 📍 %s — %s (%.4f, %.4f)\n", m.Title, m.Address, m.Latitude, m.Longitude)
		default:
			for _, line := range strings.Split(m.Text, "\n") {
				b.WriteString(strings.TrimRight("< "+line, " ") + "\n")
			}
		}
		for _, row := range m.Buttons {
			var cells []string
			for _, btn := range row {
				if btn.URL != "" {
					cells = append(cells, "["+btn.Text+" → "+btn.URL+"]")
				} else {
					cells = append(cells, "["+btn.Text+"]")
				}
			}
			prefix := "  "
			if m.ReplyKeyboard {
				prefix = "  keyboard: "
			}
			b.WriteString(prefix + strings.Join(cells, " ") + "\n")
		}
		if m.RemoveKeyboard {
			b.WriteString("  (keyboard removed)\n")
		}
	}
	return b.String()
}

// TestTranscripts replays every testdata/transcripts/*.txt: the "> " lines
// are what the person does, the rest is what the bot must answer. With
// -update the answers are rewritten from the bot's current behaviour.
func TestTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/transcripts/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			runTranscript(t, file)
		})
	}
}

func runTranscript(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var header []string
	var actions []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
			header = append(header, line)
		case strings.HasPrefix(line, "> "):
			actions = append(actions, strings.TrimPrefix(line, "> "))
		}
	}
	lang := "it"
	for _, h := range header {
		if v, ok := strings.CutPrefix(h, "# language_code: "); ok {
			lang = strings.TrimSpace(v)
		}
	}
	c := newConversation(t, lang)
	var got strings.Builder
	for _, h := range header {
		got.WriteString(h + "\n")
	}
	for _, a := range actions {
		before := len(c.emu.Sent(c.user.ID))
		c.act(a)
		got.WriteString("\n> " + a + "\n")
		got.WriteString(render(c.emu.Sent(c.user.ID)[before:]))
	}
	if *update {
		if err := os.WriteFile(file, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := string(data); got.String() != want {
		t.Errorf("%s differs from what the bot answers (run go test ./flows -run TestTranscripts -update and review the diff):\n%s", file, diff(want, got.String()))
	}
	if strings.Contains(got.String(), "[") && strings.Contains(got.String(), "]\n") && strings.Contains(got.String(), "< [") {
		t.Errorf("%s: a text id is missing (shown as [id])", file)
	}
}

// diff shows the first lines that differ.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, wl, gl)
		}
	}
	return ""
}
