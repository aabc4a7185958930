package app

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/prils-lazio/presidio/internal/console"
)

// The console reports a change as saved only once it is on the disk: when
// the store cannot sync (a failing disk), the answer is a 503 that says so,
// not the page of a change a power cut could undo.
func TestConsoleSaysSavedOnlyOnceOnDisk(t *testing.T) {
	d := startDesk(t, t.TempDir())
	if !d.a.Store.Embedded {
		t.Skip("syncs are the embedded store's")
	}
	d.openCase()
	op := d.loginAs("giulia", console.RoleOperator)
	casePage := op.get("/cases/C-000001")
	d.a.Store.InjectSyncFault(func() error { return errors.New("disk failing") })
	resp := op.post("/cases/C-000001/note", casePage, url.Values{"text": {"nota interna"}})
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("with a failing disk the note was answered %d", resp.StatusCode)
	}
	d.a.Store.InjectSyncFault(nil)
	resp = op.post("/cases/C-000001/note", casePage, url.Values{"text": {"nota interna"}})
	if resp.StatusCode >= 400 {
		t.Fatalf("with the disk back the note was answered %d", resp.StatusCode)
	}
}
