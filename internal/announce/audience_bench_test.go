package announce

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/courses"
)

// BenchmarkAudiencePreview measures how long the preview of an
// announcement takes to find its audience (Audience, what the console's
// preview and Send both call) with many people stored: the learners of one
// course of 15, and everyone reachable who came from one help point. Two
// people in ten consented to news; people come from five help points.
//
// Sizes come from PRESIDIO_BENCH_PEOPLE (comma-separated, default 2000):
//
//	PRESIDIO_BENCH_PEOPLE=20000,100000 go test ./internal/announce/ -run '^$' -bench AudiencePreview -benchtime 5x
func BenchmarkAudiencePreview(b *testing.B) {
	sizes := []int{2000}
	if v := os.Getenv("PRESIDIO_BENCH_PEOPLE"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 20 {
				b.Fatalf("PRESIDIO_BENCH_PEOPLE: %q is not a number of people (at least 20)", f)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			s, _ := newService(b)
			ctx := context.Background()
			start := time.Now()
			people := make([]sess, n)
			for i := range people {
				p := sess{chatID: int64(1000 + i), lang: "ar", site: fmt.Sprintf("hp-%d", i%5)}
				if i%10 < 2 { // help points hp-0 and hp-1
					p.consent = "yes"
				}
				people[i] = p
			}
			// The first save creates the session collections; the
			// embedded store's _id index is given to them at once, as a
			// running Presidio's upkeep does within a minute.
			saveSessions(b, s.Store, people[:1]...)
			if err := s.Store.IndexNewCollections(ctx); err != nil {
				b.Fatal(err)
			}
			saveSessions(b, s.Store, people[1:]...)
			if _, err := s.Courses.Upsert(ctx, []courses.Course{course("c15", "frascati", 20)}); err != nil {
				b.Fatal(err)
			}
			for i := range 15 {
				if _, err := s.Courses.Enrol(ctx, "c15", courses.Person{ChatID: int64(1000 + 10*i), Language: "ar"}, "k"); err != nil {
					b.Fatal(err)
				}
			}
			b.Logf("seeded %d people in %v", n, time.Since(start).Round(time.Millisecond))
			for _, c := range []struct {
				name string
				aud  Audience
				want int
			}{
				{"course-of-15", Audience{Kind: KindCourse, Course: "c15"}, 15},
				{"help-point", Audience{Kind: KindNews, HelpPoint: "hp-0"}, (n + 9) / 10},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						rs, err := s.Audience(ctx, Announcement{Audience: c.aud})
						if err != nil {
							b.Fatal(err)
						}
						if len(rs) != c.want {
							b.Fatalf("audience of %d, want %d", len(rs), c.want)
						}
					}
				})
			}
		})
	}
}
