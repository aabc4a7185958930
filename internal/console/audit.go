package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// AuditCollection was the audit log's only collection; entries are now
// kept by month (AuditMonthPrefix) and an old store's are moved there the
// first time the log is used (audit_months.go).
const AuditCollection = "console_audit"

// The actions written to the audit log.
const (
	ActionCaseView       = "case.view"
	ActionCaseReply      = "case.reply"
	ActionCaseNote       = "case.note"
	ActionCaseTake       = "case.take"
	ActionCaseClose      = "case.close"
	ActionCaseRefer      = "case.refer"
	ActionCaseBridge     = "case.bridge"
	ActionPersonExport   = "person.export"
	ActionEnrolmentsView = "enrolments.view"
	ActionEnrolmentsCSV  = "enrolments.export"
	ActionServiceSave    = "service.save"
	ActionServiceRetire  = "service.retire"
	ActionDirectoryCSV   = "directory.import"
	ActionCourseCreate   = "course.create"
	ActionCourseEdit     = "course.edit"
	ActionCourseRetire   = "course.retire"
	ActionCourseImport   = "course.import"
	ActionPartnerNote    = "partner.note"
	ActionLogin          = "login"
	ActionLoginFailed    = "login.failed"
)

// AuditEntry is one line of the audit log: who did what, on which case or
// course, when.
type AuditEntry struct {
	ID     string    `bson:"_id"`
	At     time.Time `bson:"at"`
	Actor  string    `bson:"actor"`
	Role   Role      `bson:"role,omitempty"`
	Action string    `bson:"action"`
	Case   string    `bson:"case,omitempty"`
	Course string    `bson:"course,omitempty"`
	// Target names anything else (a service ID).
	Target string `bson:"target,omitempty"`
	Addr   string `bson:"addr,omitempty"`
}

// Audit is the audit log: entries are only ever appended.
type Audit interface {
	Record(ctx context.Context, e AuditEntry) error
	// Page returns up to limit entries older than the cursor (all when it
	// is zero), newest first, and the cursor of the next page (zero when
	// there is none).
	Page(ctx context.Context, before AuditCursor, limit int) ([]AuditEntry, AuditCursor, error)
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
