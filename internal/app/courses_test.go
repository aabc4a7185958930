package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/telegramtest"
)

// A full course: the second person joins the waiting list; when the first
// cancels, the second is offered the seat with a deadline and takes it;
// the day before the start each enrolled person gets one reminder, however
// often the scheduler runs.
func TestWaitingListPromotionAndReminder(t *testing.T) {
	d := startDesk(t, t.TempDir())
	ctx := context.Background()
	csv := "id,site,level,title,weekdays,start_time,end_time,start_date,end_date,seats,address\n" +
		"tiny-a1,frascati,A1,Italiano A1 mini,Mo,15:00,17:00,2027-01-11,2027-06-30,1,Via di prova 1 Frascati\n"
	if _, err := d.a.signup.Courses.Import(ctx, "tiny.csv", strings.NewReader(csv)); err != nil {
		t.Fatal(err)
	}
	amina := telegramtest.User{ID: 6101, FirstName: "Amina", LanguageCode: "it"}
	olena := telegramtest.User{ID: 6102, FirstName: "Olena", LanguageCode: "en"}
	signUp := func(u telegramtest.User, name, phone string) {
		for _, step := range []string{"/start", "/start course_tiny-a1"} {
			d.settle(d.emu.SendText(u, step))
		}
		if last := d.last(u.ID); len(last.Buttons) > 0 && strings.HasPrefix(last.Buttons[0][0].Data, "consent:") {
			d.press(u, u.ID, last.Buttons[0][0].Text)
		}
		d.settle(d.emu.SendText(u, name))
		d.settle(d.emu.SendText(u, phone))
	}
	signUp(amina, "Amina Diallo", "3331234567")
	if !strings.Contains(allText(d.emu.Sent(amina.ID)), d.texts.Text("it", "courses.enrolled", nil)) {
		t.Fatalf("Amina not enrolled: %s", allText(d.emu.Sent(amina.ID)))
	}
	signUp(olena, "Olena Kovalenko", "+380671234567")
	if !strings.Contains(d.last(olena.ID).Text+allText(d.emu.Sent(olena.ID)), "number 1") {
		t.Fatalf("Olena not on the waiting list: %s", allText(d.emu.Sent(olena.ID)))
	}
	for _, who := range []int64{amina.ID, olena.ID} { // the phone keyboard goes once the form is done
		removed := false
		for _, m := range d.emu.Sent(who) {
			removed = removed || m.RemoveKeyboard
		}
		if !removed {
			t.Errorf("chat %d: the phone keyboard was never removed", who)
		}
	}

	d.settle(d.emu.SendText(amina, "/mycourses"))
	d.press(amina, amina.ID, "❌ "+d.texts.Text("it", "courses.cancel", nil))
	d.press(amina, amina.ID, d.texts.Text("it", "forget.no", nil)) // Yes / No: No keeps the place
	if got := d.last(amina.ID).Text; got != d.texts.Text("it", "courses.cancel_kept", nil) {
		t.Fatalf("after No: %q", got)
	}
	if counts, _ := d.a.signup.Courses.Counts(ctx, "tiny-a1"); counts.Enrolled != 1 {
		t.Fatalf("No cancelled the place: %+v", counts)
	}
	d.press(amina, amina.ID, "❌ "+d.texts.Text("it", "courses.cancel", nil))
	d.press(amina, amina.ID, d.texts.Text("it", "forget.yes", nil))
	offer := d.last(olena.ID)
	if !strings.HasPrefix(offer.Text, d.texts.Text("en", "courses.offer", map[string]any{"Deadline": ""})[:20]) || len(offer.Buttons) == 0 {
		t.Fatalf("no offer to Olena: %+v", offer)
	}
	d.press(olena, olena.ID, "✅ "+d.texts.Text("en", "courses.accept", nil))
	if !strings.Contains(allText(d.emu.Sent(olena.ID)[len(d.emu.Sent(olena.ID))-2:]), d.texts.Text("en", "courses.enrolled", nil)) {
		t.Fatalf("Olena's acceptance: %s", allText(d.emu.Sent(olena.ID)))
	}
	counts, _ := d.a.signup.Courses.Counts(ctx, "tiny-a1")
	if counts.Enrolled != 1 || counts.Waiting != 0 {
		t.Fatalf("counts: %+v", counts)
	}

	// The day before the start, twice: one reminder.
	d.a.signup.Now = func() time.Time { return time.Date(2027, 1, 10, 18, 0, 0, 0, rome()) }
	for range 2 {
		if err := d.a.signup.RunDue(ctx, d.a.Runtime.Enqueue); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for d.a.Runtime.Queued() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	reminders := strings.Count(allText(d.emu.Sent(olena.ID)), d.texts.Text("en", "courses.reminder", nil))
	if reminders != 1 {
		t.Fatalf("%d reminders, want 1", reminders)
	}
	if strings.Contains(allText(d.emu.Sent(amina.ID)), d.texts.Text("it", "courses.reminder", nil)) {
		t.Fatal("a reminder for a cancelled enrolment")
	}
}

func allText(sent []telegramtest.Sent) string {
	var b strings.Builder
	for _, m := range sent {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}

// The hourly sweep deletes the enrolments of a course that ended longer
// ago than PRESIDIO_COURSE_RETENTION (default 180 days), and keeps those
// of a course still running.
func TestSweepDeletesEnrolmentsOfFinishedCourses(t *testing.T) {
	d := startDesk(t, t.TempDir())
	ctx := context.Background()
	csv := "id,site,level,title,weekdays,start_time,end_time,start_date,end_date,seats,address\n" +
		"past-a1,frascati,A1,Italiano A1 2024,Mo,15:00,17:00,2024-01-08,2024-06-28,5,Via di prova 1 Frascati\n" +
		"next-a1,frascati,A1,Italiano A1 2027,Mo,15:00,17:00,2027-01-11,2027-06-30,5,Via di prova 1 Frascati\n"
	if _, err := d.a.signup.Courses.Import(ctx, "two.csv", strings.NewReader(csv)); err != nil {
		t.Fatal(err)
	}
	for _, course := range []string{"past-a1", "next-a1"} {
		p := courses.Person{ChatID: 6201, Name: "Nome Da Cancellare " + course, Phone: "3339998877", Language: "it"}
		if _, err := d.a.signup.Courses.Enrol(ctx, course, p, "k-"+course); err != nil {
			t.Fatal(err)
		}
	}
	d.a.purgeFinishedCourses(ctx, time.Now())
	if traces, _ := scanAll(ctx, d.a.Store, []string{"Nome Da Cancellare past-a1"}); len(traces) > 0 {
		t.Errorf("the finished course's enrolment is still stored: %v", traces)
	}
	if traces, _ := scanAll(ctx, d.a.Store, []string{"Nome Da Cancellare next-a1"}); len(traces) == 0 {
		t.Error("the running course's enrolment was deleted")
	}
}

// A course retired from the console: the person enrolled and the person
// waiting are each told once, in their own language, even when the first
// run stopped between queueing the notices and recording them (as a crash
// would); a new sign-up is refused kindly.
func TestRetiredCourseTellsItsPeopleOnce(t *testing.T) {
	d := startDesk(t, t.TempDir())
	ctx := context.Background()
	csv := "id,site,level,title,weekdays,start_time,end_time,start_date,end_date,seats,address,title_en\n" +
		"tiny-a1,frascati,A1,Italiano A1 mini,Mo,15:00,17:00,2027-01-11,2027-06-30,1,Via di prova 1 Frascati,Italian A1 mini\n"
	cs := d.a.signup.Courses
	if _, err := cs.Import(ctx, "tiny.csv", strings.NewReader(csv)); err != nil {
		t.Fatal(err)
	}
	amina := telegramtest.User{ID: 6201, FirstName: "Amina", LanguageCode: "it"}
	olena := telegramtest.User{ID: 6202, FirstName: "Olena", LanguageCode: "en"}
	late := telegramtest.User{ID: 6203, FirstName: "Late", LanguageCode: "en"}
	signUp := func(u telegramtest.User, name, phone string) {
		for _, step := range []string{"/start", "/start course_tiny-a1"} {
			d.settle(d.emu.SendText(u, step))
		}
		if last := d.last(u.ID); len(last.Buttons) > 0 && strings.HasPrefix(last.Buttons[0][0].Data, "consent:") {
			d.press(u, u.ID, last.Buttons[0][0].Text)
		}
		d.settle(d.emu.SendText(u, name))
		d.settle(d.emu.SendText(u, phone))
	}
	signUp(amina, "Amina Diallo", "3331234567")
	signUp(olena, "Olena Kovalenko", "+380671234567")
	if n, _ := cs.Counts(ctx, "tiny-a1"); n.Enrolled != 1 || n.Waiting != 1 {
		t.Fatalf("before retiring: %+v", n)
	}
	if err := cs.Retire(ctx, "tiny-a1"); err != nil {
		t.Fatal(err)
	}
	// The first run queues the notices and "crashes" before recording them.
	enqueue := d.a.signup.Enqueue
	killed := func(ctx context.Context, e []store.OutboxEntry) error {
		if err := enqueue(ctx, e); err != nil {
			return err
		}
		return errors.New("killed")
	}
	if err := d.a.signup.RunDue(ctx, killed); err == nil {
		t.Fatal("the interrupted run reported no error")
	}
	for range 2 {
		if err := d.a.signup.RunDue(ctx, enqueue); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for d.a.Runtime.Queued() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	for _, tc := range []struct {
		u           telegramtest.User
		lang, title string
	}{{amina, "it", "Italiano A1 mini"}, {olena, "en", "Italian A1 mini"}} {
		notice := d.texts.Text(tc.lang, "courses.retired_notice", nil)
		all := allText(d.emu.Sent(tc.u.ID))
		if n := strings.Count(all, notice); n != 1 {
			t.Errorf("%s got the notice %d times, want once:\n%s", tc.u.FirstName, n, all)
		}
		if !strings.Contains(all, tc.title) {
			t.Errorf("%s's notice does not name the course in their language: %s", tc.u.FirstName, all)
		}
	}
	// Someone following an old link is not signed up.
	signUp(late, "Late Comer", "3337654321")
	if n, _ := cs.Counts(ctx, "tiny-a1"); n.Enrolled != 1 || n.Waiting != 1 {
		t.Fatalf("a retired course took a sign-up: %+v", n)
	}
	if strings.Contains(allText(d.emu.Sent(late.ID)), d.texts.Text("en", "courses.enrolled", nil)) {
		t.Fatal("a retired course confirmed an enrolment")
	}
}
