package app

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/bot"
	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/escalation"
	"github.com/prils-lazio/presidio/internal/metrics"
	"github.com/prils-lazio/presidio/internal/signup"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/internal/telegramtest"
	"github.com/prils-lazio/presidio/locales"
)

// Fault tests of the scheduler's course work (issue #10, finding 4): the
// store sits behind a proxy that fails commands or lets a write land and
// then drops the connection; what is checked is what people receive from
// the Telegram emulator, through a real runtime and its outbox.

// noHandler answers nobody: these tests drive the scheduler, not chats.
type noHandler struct{}

func (noHandler) Handle(context.Context, *store.Session, chat.Incoming) ([]chat.Outgoing, error) {
	return nil, nil
}

type dueHarness struct {
	st     *store.Store
	faults *storetest.Faults
	emu    *telegramtest.Server
	rt     *bot.Runtime
	co     *courses.Courses
	sg     *signup.Service
	texts  *locales.Catalog
}

// opTimeout is the courses' OpTimeout here: an offer whose maker could not
// announce it is announced by the scheduler after it.
const opTimeout = 2 * time.Second

func startDue(t *testing.T) *dueHarness {
	t.Helper()
	ctx := context.Background()
	st, faults := storetest.OpenWithFaults(t)
	emu := telegramtest.New(telegramtest.Options{})
	t.Cleanup(emu.Close)
	rt, err := bot.New(bot.Config{Token: emu.Token(), APIURL: emu.URL(), PollTimeout: time.Second}, st, noHandler{},
		func(string) string { return "sorry" }, metrics.NewRegistry(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = rt.Stop(ctx)
	})
	co, err := courses.New(ctx, st, courses.Config{OpTimeout: opTimeout, StaleAfter: 2 * opTimeout})
	if err != nil {
		t.Fatal(err)
	}
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	// The day before the courses start, in Rome.
	now := func() time.Time { return time.Date(2027, 1, 10, 18, 0, 0, 0, rome()) }
	sg := &signup.Service{Courses: co, Texts: texts, Now: now, Enqueue: rt.Enqueue}
	return &dueHarness{st: st, faults: faults, emu: emu, rt: rt, co: co, sg: sg, texts: texts}
}

func (h *dueHarness) course(t *testing.T, id string, seats int) {
	t.Helper()
	c := courses.Course{ID: id, Site: "cpia-frascati", Level: courses.LevelA1, Title: "Italiano A1",
		Weekdays: []time.Weekday{time.Monday}, StartTime: "18:00", EndTime: "20:00",
		StartDate: "2027-01-11", EndDate: "2027-05-31", Seats: seats, Address: "Via Example 1, Frascati"}
	if _, err := h.co.Upsert(context.Background(), []courses.Course{c}); err != nil {
		t.Fatal(err)
	}
}

// meet makes the person a chat of the bot (Telegram refuses messages to
// people who never wrote to it).
func (h *dueHarness) meet(t *testing.T, chatID int64) {
	t.Helper()
	id := h.emu.SendText(telegramtest.User{ID: chatID, FirstName: "P", LanguageCode: "en"}, "/start")
	deadline := time.Now().Add(15 * time.Second)
	for !h.rt.Handled(id) {
		if time.Now().After(deadline) {
			t.Fatalf("chat %d: /start not handled", chatID)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (h *dueHarness) enrol(t *testing.T, courseID string, chatID int64) {
	t.Helper()
	h.meet(t, chatID)
	if _, err := h.co.Enrol(context.Background(), courseID, courses.Person{ChatID: chatID, Name: "Persona", Phone: "+39 333 0000000", Language: "en"}, "k"); err != nil {
		t.Fatal(err)
	}
}

// drain waits until the runtime has sent everything queued.
func (h *dueHarness) drain(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for h.rt.Queued() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("messages still queued")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // nothing more arrives
}

// count is how many messages the chat received that start with prefix.
func (h *dueHarness) count(chatID int64, prefix string) int {
	n := 0
	for _, s := range h.emu.Sent(chatID) {
		if strings.HasPrefix(s.Text, prefix) {
			n++
		}
	}
	return n
}

func (h *dueHarness) reminderText() string {
	return h.texts.Text("en", "courses.reminder", nil)
}

func (h *dueHarness) offerText() string {
	return h.texts.Text("en", "courses.offer", map[string]any{"Deadline": ""})[:20]
}

// A course fails in the middle of a reminder run: the people of the
// courses before and after it are reminded in that run (their marks
// written or not, they are never dropped), those of the failing course in
// the next run, and nobody twice.
func TestReminderRunWithAFailingCourseLosesNone(t *testing.T) {
	h := startDue(t)
	ctx := context.Background()
	people := map[string][]int64{"a-course": {101, 102}, "b-course": {201, 202}, "c-course": {301, 302}}
	for id, chats := range people {
		h.course(t, id, 5)
		for _, c := range chats {
			h.enrol(t, id, c)
		}
	}
	// b-course's places cannot be read, and marking its reminders fails.
	h.faults.Add(storetest.Rule{Command: "find", Collection: "course_places.b-course", Fault: storetest.FailBefore, Times: 1})
	h.faults.Add(storetest.Rule{Command: "insert", Collection: "course_claims.b-course", Contains: "#reminded", Fault: storetest.FailBefore, Times: 1})
	if err := h.sg.RunDue(ctx, h.rt.Enqueue); err == nil {
		t.Fatal("RunDue hid the failing course")
	}
	h.drain(t)
	for _, c := range append(people["a-course"], people["c-course"]...) {
		if n := h.count(c, h.reminderText()); n != 1 {
			t.Fatalf("chat %d: %d reminders after the run with a failing course, want 1", c, n)
		}
	}
	// The next runs: b-course's reading works, its marking fails once more.
	for range 2 {
		_ = h.sg.RunDue(ctx, h.rt.Enqueue)
	}
	h.drain(t)
	for id, chats := range people {
		for _, c := range chats {
			if n := h.count(c, h.reminderText()); n != 1 {
				t.Fatalf("%s, chat %d: %d reminders, want exactly 1", id, c, n)
			}
		}
	}
}

// A write lands and then reports an error while a reminder run queues its
// messages (the outbox insert) or records them (the reminded mark): every
// person is reminded exactly once.
func TestReminderWriteThatLandedRemindsOnce(t *testing.T) {
	for _, rule := range []storetest.Rule{
		{Command: "insert", Collection: "outbox", Fault: storetest.LandThenDrop, Times: 1},
		{Command: "insert", Collection: "course_claims.only", Contains: "#reminded", Fault: storetest.LandThenDrop, Times: 1},
	} {
		t.Run(rule.Collection, func(t *testing.T) {
			h := startDue(t)
			ctx := context.Background()
			h.course(t, "only", 5)
			chats := []int64{401, 402, 403}
			for _, c := range chats {
				h.enrol(t, "only", c)
			}
			r := h.faults.Add(rule)
			for range 3 {
				_ = h.sg.RunDue(ctx, h.rt.Enqueue)
			}
			h.drain(t)
			if h.faults.Hits(r) != 1 {
				t.Fatalf("the fault acted %d times", h.faults.Hits(r))
			}
			for _, c := range chats {
				if n := h.count(c, h.reminderText()); n != 1 {
					t.Fatalf("chat %d: %d reminders, want exactly 1", c, n)
				}
			}
		})
	}
}

// A person enrolled in a full course asks to be forgotten: the next person
// on the waiting list is told about the freed seat, at once, exactly once
// — also when queueing that offer lands and reports an error, or fails
// (then the scheduler tells them).
func TestForgetOfAnEnrolledPersonTellsTheNextOnTheWaitingList(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault *storetest.Rule
	}{
		{"no fault", nil},
		{"offer queued, error reported", &storetest.Rule{Command: "insert", Collection: "outbox", Fault: storetest.LandThenDrop, Times: 1}},
		{"offer not queued", &storetest.Rule{Command: "insert", Collection: "outbox", Fault: storetest.FailBefore, Times: 2}},
		{"announced mark lost", &storetest.Rule{Command: "insert", Collection: "course_claims.full", Contains: "#announced", Fault: storetest.LandThenDrop, Times: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startDue(t)
			h.sg.Now = time.Now // offers are held 48 hours from now
			ctx := context.Background()
			h.course(t, "full", 1)
			const leaving, next, after = 501, 502, 503
			h.enrol(t, "full", leaving)
			for _, c := range []int64{next, after} {
				h.meet(t, c)
				if _, err := h.co.JoinWaitingList(ctx, "full", courses.Person{ChatID: c, Name: "Persona", Phone: "+39 333 0000001", Language: "en"}); err != nil {
					t.Fatal(err)
				}
			}
			cs, err := cases.New(ctx, h.st)
			if err != nil {
				t.Fatal(err)
			}
			r := rights{store: h.st, cases: cs, desk: &escalation.Service{Cases: cs, Texts: h.texts}, texts: h.texts, courses: h.co, signup: h.sg}
			if tc.fault != nil {
				h.faults.Add(*tc.fault)
			}
			if _, err := r.Forget(ctx, leaving); err != nil {
				t.Fatal(err)
			}
			h.drain(t)
			if tc.fault == nil {
				if n := h.count(next, h.offerText()); n != 1 {
					t.Fatalf("right after the erasure the next person got %d offers, want 1", n)
				}
			}
			// The scheduler runs every minute; an offer its maker could not
			// announce is told after OpTimeout.
			_ = h.sg.RunDue(ctx, h.rt.Enqueue)
			time.Sleep(opTimeout + 100*time.Millisecond)
			for range 3 { // a queueing that fails again is tried again
				_ = h.sg.RunDue(ctx, h.rt.Enqueue)
			}
			h.drain(t)
			if n := h.count(next, h.offerText()); n != 1 {
				t.Fatalf("the next person on the waiting list got %d offers, want exactly 1", n)
			}
			if n := h.count(after, h.offerText()); n != 0 {
				t.Fatalf("the person after got %d offers", n)
			}
			if counts, err := h.co.Counts(ctx, "full"); err != nil || counts.Offered != 1 || counts.Enrolled != 0 {
				t.Fatalf("counts %+v, %v; want the seat offered", counts, err)
			}
		})
	}
}
