package cases

import (
	"context"
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
)

func TestMessagesAreAppendedOnceInOrder(t *testing.T) {
	s, st, _ := newCases(t)
	ctx := context.Background()
	c, _, _ := s.Open(ctx, request(41, "permits"))
	if err := s.SetThread(ctx, c.ID, 900, 901); err != nil {
		t.Fatal(err)
	}
	msgs := []Message{
		{ID: "u1", Case: c.ID, Direction: DirIn, Text: "buongiorno", PersonMessageID: 10},
		{ID: "u2", Case: c.ID, Direction: DirOut, Text: "come posso aiutarla?", TopicMessageID: 950, OperatorID: "tg:1", OperatorName: "Giulia"},
		{ID: "u3", Case: c.ID, Direction: DirNote, Text: "chiedere il codice fiscale", TopicMessageID: 951, OperatorID: "tg:1"},
		{ID: "u4", Case: c.ID, Direction: DirIn, MediaType: "photo", FileID: "AgAD-file", PersonMessageID: 11},
	}
	for _, m := range msgs {
		if added, err := s.AddMessage(ctx, m); err != nil || !added {
			t.Fatalf("AddMessage(%s) = %v, %v", m.ID, added, err)
		}
	}
	// A replay after a crash: the same ids again, even with other content.
	replay := msgs[1]
	replay.Text = "changed"
	if added, err := s.AddMessage(ctx, replay); err != nil || added {
		t.Errorf("replayed AddMessage = %v, %v; want not added", added, err)
	}
	if n := count(t, st, colMessages, bson.D{}); n != int64(len(msgs)) {
		t.Errorf("%d message documents, want %d", n, len(msgs))
	}

	// Copies: u1 relayed into the topic as 952; u2 delivered to the person as 12.
	for _, d := range []Delivery{
		{Message: "u1", Case: c.ID, TopicMessageID: 952},
		{Message: "u2", Case: c.ID, PersonMessageID: 12},
	} {
		if added, err := s.RecordDelivery(ctx, d); err != nil || !added {
			t.Fatalf("RecordDelivery(%+v) = %v, %v", d, added, err)
		}
	}
	if added, err := s.RecordDelivery(ctx, Delivery{Message: "u1", Case: c.ID, TopicMessageID: 999}); err != nil || added {
		t.Errorf("second delivery of u1 = %v, %v; want not added", added, err)
	}

	got, err := s.Messages(ctx, c.ID)
	if err != nil || len(got) != len(msgs) {
		t.Fatalf("Messages = %d, %v", len(got), err)
	}
	for i, m := range got {
		if m.ID != msgs[i].ID || m.Text != msgs[i].Text || m.At.IsZero() {
			t.Errorf("message %d = %+v, want %+v", i, m, msgs[i])
		}
	}
	if got[0].TopicMessageID != 952 || got[1].PersonMessageID != 12 || got[1].TopicMessageID != 950 {
		t.Errorf("delivered ids not filled in: %+v / %+v", got[0], got[1])
	}

	// A reply in the topic maps back to its message and case.
	for topicMsg, want := range map[int]string{950: "u2", 952: "u1", 951: "u3"} {
		m, ok, err := s.FindByTopicMessage(ctx, 900, topicMsg)
		if err != nil || !ok || m.ID != want || m.Case != c.ID {
			t.Errorf("FindByTopicMessage(900, %d) = %+v %v %v; want %s", topicMsg, m, ok, err, want)
		}
	}
	if _, ok, _ := s.FindByTopicMessage(ctx, 901, 950); ok {
		t.Error("found a topic message under another thread")
	}
	if _, ok, _ := s.FindByTopicMessage(ctx, 900, 12345); ok {
		t.Error("found an unknown topic message")
	}
}

func TestAddMessageRefusals(t *testing.T) {
	s, st, _ := newCases(t)
	ctx := context.Background()
	if _, err := s.AddMessage(ctx, Message{ID: "x1", Case: "C-000404", Direction: DirIn, Text: "hello"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("message for an unknown case: %v", err)
	}
	if n := count(t, st, colMessages, bson.D{}); n != 0 {
		t.Errorf("a refused message stayed: %d documents", n)
	}
	for _, m := range []Message{
		{ID: "", Case: "C-000001", Direction: DirIn, Text: "a"},
		{ID: "x", Case: "case-1", Direction: DirIn, Text: "a"},
		{ID: "x", Case: "C-000001", Direction: "sideways", Text: "a"},
		{ID: "x", Case: "C-000001", Direction: DirOut},
	} {
		if _, err := s.AddMessage(ctx, m); err == nil {
			t.Errorf("invalid message %+v accepted", m)
		}
	}
}
