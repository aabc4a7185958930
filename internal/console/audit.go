package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// AuditCollection is the append-only audit log.
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
	// Recent returns up to limit entries, newest first.
	Recent(ctx context.Context, limit int) ([]AuditEntry, error)
}

// StoreAudit is the audit log in the "console_audit" collection. It has no
// method that changes or deletes an entry.
type StoreAudit struct{ coll *mongo.Collection }

// NewStoreAudit returns the audit log kept in st.
func NewStoreAudit(st *store.Store) *StoreAudit {
	return &StoreAudit{coll: st.Collection(AuditCollection)}
}

// Record appends e (ID and At are filled when empty).
func (a *StoreAudit) Record(ctx context.Context, e AuditEntry) error {
	if e.ID == "" {
		e.ID = randomToken(12)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC().Truncate(time.Millisecond)
	if _, err := a.coll.InsertOne(ctx, e); err != nil {
		return fmt.Errorf("console: writing the audit log: %w", err)
	}
	return nil
}

// Recent returns up to limit entries, newest first.
func (a *StoreAudit) Recent(ctx context.Context, limit int) ([]AuditEntry, error) {
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	cur, err := a.coll.Find(ctx, bson.D{}, opts)
	if err != nil {
		return nil, fmt.Errorf("console: reading the audit log: %w", err)
	}
	var out []AuditEntry
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("console: reading the audit log: %w", err)
	}
	return out, nil
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
