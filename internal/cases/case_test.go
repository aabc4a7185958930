package cases

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCaseIDs(t *testing.T) {
	for n, want := range map[int64]string{1: "C-000001", 123: "C-000123", 999999: "C-999999", 1234567: "C-1234567"} {
		if got := FormatID(n); got != want {
			t.Errorf("FormatID(%d) = %q, want %q", n, got, want)
		}
		if back, ok := ParseID(want); !ok || back != n {
			t.Errorf("ParseID(%q) = %d, %v", want, back, ok)
		}
	}
	for _, bad := range []string{"", "C-", "C-123", "C-0000001", "C-000000", "c-000001", "C-00001a", "X-000001", "C--00001"} {
		if _, ok := ParseID(bad); ok {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
}

func validCase() Case {
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	return Case{ID: "C-000001", ChatID: 42, PersonName: "Amina", Lang: "pt-BR", Topic: "permits", HelpPoint: "prils-frascati",
		Status: StatusNew, Answers: map[string]string{"permit_type": "work"}, Created: now, Updated: now}
}

func TestCaseValidate(t *testing.T) {
	if err := validCase().Validate(); err != nil {
		t.Fatalf("valid case: %v", err)
	}
	bad := []struct {
		change func(*Case)
		want   string
	}{
		{func(c *Case) { c.ID = "42" }, "not a case id"},
		{func(c *Case) { c.ChatID = 0 }, "chat id is 0"},
		{func(c *Case) { c.Topic = "" }, "topic is empty"},
		{func(c *Case) { c.Topic = "a#b" }, "topic"},
		{func(c *Case) { c.HelpPoint = "Help Point" }, "help point"},
		{func(c *Case) { c.Lang = "italiano" }, "lang"},
		{func(c *Case) { c.Status = "lost" }, "status"},
		{func(c *Case) { c.Status = StatusTaken }, "needs an assignee"},
		{func(c *Case) { c.Status = StatusClosed }, "closed time"},
		{func(c *Case) { c.Closed = c.Created }, "closed time"},
		{func(c *Case) { c.Answers = map[string]string{"a.b": "x"} }, "answer key"},
		{func(c *Case) { c.Feedback = "great" }, "feedback"},
		{func(c *Case) { c.Summary = strings.Repeat("x", MaxTextLength+1) }, "summary"},
		{func(c *Case) { c.Created = time.Time{} }, "created"},
		{func(c *Case) { c.Erased = c.Created }, "personal content"},
		{func(c *Case) { c.Referrals = []Referral{{ServiceID: "x"}} }, "referral 1 operator"},
	}
	for _, b := range bad {
		c := validCase()
		b.change(&c)
		err := c.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), b.want) {
			t.Errorf("Validate() = %v, want a problem about %q", err, b.want)
		}
	}
	erased := validCase()
	erased.ChatID, erased.PersonName, erased.Answers = 0, "", nil
	erased.Status, erased.Closed, erased.Erased = StatusClosed, erased.Created, erased.Created
	if err := erased.Validate(); err != nil {
		t.Errorf("erased case: %v", err)
	}
	if err := (OpenRequest{ChatID: 1, Topic: "permits"}).Validate(); err != nil {
		t.Errorf("minimal request: %v", err)
	}
	if err := (OpenRequest{Topic: "Permits"}).Validate(); err == nil || !strings.Contains(err.Error(), "open request") {
		t.Errorf("bad request: %v", err)
	}
}
