package cases

import (
	"context"
	"testing"
)

// BenchmarkGet reads an open case by id (the desk does it for every
// relayed message): the copy, then the probe for a newer revision.
func BenchmarkGet(b *testing.B) {
	s, _, _ := newCases(b)
	ctx := context.Background()
	c, _, err := s.Open(ctx, request(1, "permits"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Get(ctx, c.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChange changes a case (a feedback that alternates): read,
// revision insert, copy, probe.
func BenchmarkChange(b *testing.B) {
	s, _, _ := newCases(b)
	ctx := context.Background()
	c, _, err := s.Open(ctx, request(1, "permits"))
	if err != nil {
		b.Fatal(err)
	}
	values := []Feedback{FeedbackHelped, FeedbackNot}
	i := 0
	for b.Loop() {
		i++
		if err := s.SetFeedback(ctx, c.ID, values[i%2]); err != nil {
			b.Fatal(err)
		}
	}
}
