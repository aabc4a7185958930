package console

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// BenchmarkAuditNewestPage measures reading the audit page's first page
// (200 entries of this month) with years of older entries stored: its
// cost must not grow with them.
//
//	go test ./internal/console/ -run '^$' -bench AuditNewestPage -benchtime 20x
func BenchmarkAuditNewestPage(b *testing.B) {
	for _, history := range []int{0, 20000} {
		b.Run(fmt.Sprintf("older-entries=%d", history), func(b *testing.B) {
			st := storetest.Open(b)
			ctx := context.Background()
			a := NewStoreAudit(st)
			// Older history: 24 months before this one, straight into
			// their month collections.
			now := time.Now().UTC()
			byMonth := map[string][]any{}
			for i := range history {
				at := now.AddDate(0, -1-i%24, 0).Add(-time.Duration(i) * time.Second)
				e := AuditEntry{ID: fmt.Sprintf("h%06d", i), At: at.Truncate(time.Millisecond), Actor: "op", Action: ActionCaseView, Case: "C000001"}
				byMonth[auditMonth(at)] = append(byMonth[auditMonth(at)], e)
			}
			for m, docs := range byMonth {
				if _, err := st.Collection(m).InsertMany(ctx, docs); err != nil {
					b.Fatal(err)
				}
			}
			for i := range 300 {
				if err := a.Record(ctx, AuditEntry{At: now.Add(-time.Duration(i) * time.Second), Actor: "op", Action: ActionCaseView, Case: "C000002"}); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				page, next, err := a.Page(ctx, AuditCursor{}, auditPageSize)
				if err != nil || len(page) != auditPageSize || next.IsZero() {
					b.Fatalf("page of %d, next %v, %v", len(page), next, err)
				}
			}
		})
	}
}
