package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// queryPlan is SQLite's plan of a statement, its steps joined by "; ".
func queryPlan(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	dbs, err := s.files().open()
	if err != nil || len(dbs) != 1 {
		t.Fatalf("files: %d, %v", len(dbs), err)
	}
	rows, err := dbs[0].QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, notused int
		var d string
		if err := rows.Scan(&id, &parent, &notused, &d); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, d)
	}
	return strings.Join(steps, "; ")
}

// ForgetChat's statement on the outbox (forget_direct.go) is answered
// through the store's indexes, one per branch of its OR, never by reading
// the table: SQLite's own plan says so. The pending copies, a backlog, are
// read whole (they have no index on the embedded store).
func TestForgetChatStatementUsesTheIndexes(t *testing.T) {
	s := openDirect(t)
	ctx := context.Background()
	seedOutbox(t, s, 2000, 50)
	if err := s.IndexNewCollections(ctx); err != nil {
		t.Fatal(err)
	}
	db, table, err := s.files().table(ctx, s.db.Name(), colOutbox)
	if err != nil || db == nil {
		t.Fatal(err)
	}
	check := func(when string) {
		plan := queryPlan(t, s, fmt.Sprintf(`DELETE FROM %q WHERE %s`, table, forgetOutboxWhere), forgetBenchChat(3), fmt.Sprint(forgetBenchChat(3)))
		t.Logf("plan %s: %s", when, plan)
		if strings.Contains(plan, "SCAN") {
			t.Errorf("%s, the outbox statement reads the whole table: %s", when, plan)
		}
		for _, ix := range sqliteIndexes[colOutbox] {
			if !strings.Contains(plan, "USING INDEX "+table+ix.suffix+" ") {
				t.Errorf("%s, the outbox statement does not use %s: %s", when, table+ix.suffix, plan)
			}
		}
	}
	check("without statistics")
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	check("with statistics (ANALYZE)")
}
