package console

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"
)

var (
	auditTargetRE = regexp.MustCompile(`\b(?:old|t)-\d{3}\b`)
	auditOlderRE  = regexp.MustCompile(`<a id="older" href="([^"]+)"`)
)

// The audit log is read a page at a time, newest first, by following the
// "older" link; entries of a store from before the log was kept by month
// are found too, and nothing is shown twice or skipped, also where several
// entries share the same instant across a page's end.
func TestAuditPagesFollowEachOtherOverHTTP(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var want []string // newest first
	// Entries left in the old single collection by an older Presidio.
	for i := range 100 {
		at := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
		if _, err := e.st.Collection(AuditCollection).InsertOne(ctx, AuditEntry{
			ID: fmt.Sprintf("o%03d", i), At: at, Actor: "op", Action: ActionCaseView, Target: fmt.Sprintf("old-%03d", i),
		}); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("old-%03d", i))
	}
	// 350 entries over four months; eleven share one instant where the
	// first page ends.
	base := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
	for i := range 350 {
		at := base.Add(time.Duration(i) * 6 * time.Hour)
		if i >= 145 && i <= 155 {
			at = base.Add(150 * 6 * time.Hour)
		}
		if err := e.audit.Record(ctx, AuditEntry{
			ID: fmt.Sprintf("t%03d", i), At: at, Actor: "op", Action: ActionCaseView, Target: fmt.Sprintf("t-%03d", i),
		}); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("t-%03d", i))
	}
	slices.Reverse(want)

	c := e.login("coord") // one more entry: the login, the newest
	var got []string
	pages := 0
	for path := "/console/audit"; path != ""; pages++ {
		if pages > 5 {
			t.Fatalf("more pages than there are entries: %v", got)
		}
		code, body := e.get(c, path)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, code)
		}
		got = append(got, auditTargetRE.FindAllString(body, -1)...)
		path = ""
		if m := auditOlderRE.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	if pages != 3 {
		t.Errorf("%d pages for 451 entries of %d each, want 3", pages, auditPageSize)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("entries shown (%d):\n%v\nwant (%d):\n%v", len(got), got, len(want), want)
	}
	names, err := e.st.CollectionNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(names, AuditCollection) {
		t.Error("the old audit collection is still there after its entries were moved")
	}
	if code, _ := e.get(c, "/console/audit?before=yesterday"); code != http.StatusBadRequest {
		t.Errorf("a page that is not a place in the log: %d, want 400", code)
	}
}
