package console

import (
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The register as a workbook: the school's own course only, the same rows
// as the CSV.
func TestRegisterXLSX(t *testing.T) {
	e := newEnv(t)
	addCourses(t, e)
	c := e.login("frascati")
	code, body := e.get(c, "/console/courses/fra-a1/enrolments.xlsx")
	if code != http.StatusOK {
		t.Fatalf("own register: %d", code)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("register")
	if err != nil || len(rows) != 2 || rows[0][4] != "name" || rows[1][4] != "Fatou Diallo" {
		t.Fatalf("rows: %v %v", rows, err)
	}
	if code, body := e.get(c, "/console/courses/vel-a1/enrolments.xlsx"); code != http.StatusNotFound || strings.Contains(body, "Oksana") {
		t.Errorf("another site's register: %d", code)
	}
}
