package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/prils-lazio/presidio/internal/console"
	"github.com/prils-lazio/presidio/internal/courses"
)

// /mydata gives a summary in the person's language of everything kept —
// settings, consent, the case, course places and waiting lists — and the
// same as a downloadable file; never the counsellors' internal notes. A
// coordinator's export of the same person for an access request has them.
func TestMyDataIsCompleteReadableAndWithoutNotes(t *testing.T) {
	d := startDesk(t, t.TempDir())
	ctx := context.Background()
	thread := d.openCase()
	d.say("Мене звати Олена Коваленко")
	d.operator(0, thread, "/note sembra molto preoccupata")
	list, err := d.a.signup.Courses.List(ctx)
	if err != nil || len(list) < 2 {
		t.Fatalf("sample courses: %d, %v", len(list), err)
	}
	me := courses.Person{ChatID: d.person.ID, Name: "Olena Kovalenko", Phone: "+39 333 1234567", Language: "uk"}
	if _, err := d.a.signup.Courses.Enrol(ctx, list[0].ID, me, "k1"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.a.signup.Courses.JoinWaitingList(ctx, list[1].ID, me); err != nil {
		t.Fatal(err)
	}
	before := len(d.emu.Sent(d.person.ID))
	d.say("/mydata")
	d.waitIdle()
	sent := d.emu.Sent(d.person.ID)[before:]
	if len(sent) != 2 {
		t.Fatalf("/mydata sent %d messages, want a summary and a file", len(sent))
	}
	summary, file := sent[0], sent[1]
	for _, want := range []string{d.texts.Text("uk", "mydata.title", nil), "C-000001", list[0].ID, list[1].ID, "+39 333 1234567",
		d.texts.Text("uk", "privacy.choice_yes", nil), "Українська"} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, summary.Text)
		}
	}
	if strings.Contains(summary.Text, "{") || strings.Contains(summary.Text, "chat_id") {
		t.Errorf("the summary is raw data:\n%s", summary.Text)
	}
	if file.Method != "sendDocument" || file.FileName == "" || file.Text != d.texts.Text("uk", "mydata.file", nil) {
		t.Fatalf("the file: %+v", file)
	}
	data, ok := d.emu.File(file.FileID)
	if !ok {
		t.Fatal("the file's content was not uploaded")
	}
	var pf PersonFile
	if err := json.Unmarshal(data, &pf); err != nil {
		t.Fatalf("the file is not JSON: %v", err)
	}
	if len(pf.Cases) != 1 || len(pf.Courses) != 1 || pf.Courses[0].Phone != "+39 333 1234567" || len(pf.WaitingLists) != 1 {
		t.Fatalf("the file lacks something: %s", data)
	}
	if !strings.Contains(string(data), "Мене звати Олена Коваленко") {
		t.Error("the file lacks the person's own messages")
	}
	for _, m := range append(sent, d.emu.Sent(d.person.ID)...) {
		if strings.Contains(m.Text, "preoccupata") {
			t.Fatal("an internal note reached the person")
		}
	}
	if strings.Contains(string(data), "preoccupata") || strings.Contains(string(data), "5005") {
		t.Fatalf("the person's file has an internal note or an internal id: %s", data)
	}

	// The coordinator's export for an access request has the note.
	coord := d.loginAs("anna", console.RoleCoordinator)
	if page := coord.get("/cases/C-000001"); !strings.Contains(page, "person-export.json") {
		t.Fatal("no export link on the case page for a coordinator")
	}
	full := coord.get("/cases/C-000001/person-export.json")
	if !strings.Contains(full, "preoccupata") || !strings.Contains(full, "+39 333 1234567") {
		t.Fatalf("the coordinator's export is not complete: %.500s", full)
	}
	op := d.loginAs("piero", console.RoleOperator)
	if got := op.get("/cases/C-000001/person-export.json"); strings.Contains(got, "preoccupata") {
		t.Fatal("an operator got the coordinators' export")
	}
}
