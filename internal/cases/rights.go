package cases

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/store"
)

// PersonData is everything this package stores about one person, as
// Export returns it. It marshals to readable JSON (encoding/json).
type PersonData struct {
	ChatID   int64      `json:"chat_id"`
	Exported time.Time  `json:"exported"`
	Cases    []CaseData `json:"cases"`
}

// CaseData is one case of the person with its conversation.
type CaseData struct {
	Case
	Messages []Message `json:"messages"`
}

// Export returns the person's cases (oldest first) with their messages.
// Erased cases no longer carry the chat id, so they are not part of it:
// nothing personal is left in them.
func (s *Cases) Export(ctx context.Context, chatID int64) (PersonData, error) {
	out := PersonData{ChatID: chatID, Exported: s.clock(), Cases: []CaseData{}}
	if chatID == 0 {
		return out, fmt.Errorf("cases: export: chat id 0 is nobody")
	}
	list, err := s.find(ctx, bson.D{{Key: "chat_id", Value: chatID}},
		options.Find().SetSort(bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return PersonData{}, err
	}
	for _, c := range list {
		msgs, err := s.Messages(ctx, c.ID)
		if err != nil {
			return PersonData{}, err
		}
		if msgs == nil {
			msgs = []Message{}
		}
		out.Cases = append(out.Cases, CaseData{Case: c, Messages: msgs})
	}
	return out, nil
}

// Forget erases the person's personal content from every collection of
// this package: the messages and deliveries of their cases are deleted;
// their case documents lose the chat id (set to 0), name, answers, summary,
// outcome and referral notes, and are closed if open; their open-case
// claims are deleted. What stays is anonymous: ID, topic, language, help
// point, urgency, status, dates, assignee, referred services, feedback.
// The person may open new cases afterwards.
//
// Forget is idempotent: if it stops midway, calling it again (or the next
// SweepClosed) finishes the job. It reads the person's entries of the live
// list only (findByField); erasures of other people that stopped midway
// are SweepClosed's to finish. Run it in the person's lane (never concurrently with their Open);
// operators' writes racing it are refused with ErrErased or undone.
func (s *Cases) Forget(ctx context.Context, chatID int64) error {
	if chatID == 0 {
		return fmt.Errorf("cases: forget: chat id 0 is nobody")
	}
	entries, err := findByField[liveEntry](ctx, s, s.live, "chat_id", chatID) // the person's only
	if err != nil {
		return fmt.Errorf("cases: forget: finding the person's cases: %w", err)
	}
	var ids []string
	topics := map[string]bool{}
	for _, e := range entries {
		ids = append(ids, e.CaseID)
		topics[e.Topic] = true
	}
	if _, err := s.erase(ctx, ids, nil); err != nil {
		return err
	}
	// Claims of cases whose opener died before creating the case.
	for topic := range topics {
		if _, err := s.claims.DeleteOne(ctx, bson.D{{Key: "_id", Value: openKey(chatID, topic)}}); err != nil {
			return fmt.Errorf("cases: forget: deleting claims: %w", err)
		}
	}
	return nil
}

// SweepClosed erases, as Forget does, the personal content of every case
// closed before the cutoff, and returns how many cases it erased. It also
// finishes any erasure that stopped midway (a crash between stripping a
// case and deleting its messages) and unlists entries whose case was never
// created. Run it periodically for the retention period (FerretDB has no
// TTL indexes). It reads the cases within the retention period (colLive,
// and each of those cases by _id), never the cases erased before.
func (s *Cases) SweepClosed(ctx context.Context, before time.Time) (int, error) {
	entries, err := s.liveEntries(ctx)
	if err != nil {
		return 0, err
	}
	var due, pending, orphans []string
	for _, e := range entries {
		if e.Erased {
			pending = append(pending, e.CaseID)
			continue
		}
		c, err := s.Get(ctx, e.CaseID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if s.clock().Sub(e.At) > orphanAge {
				orphans = append(orphans, e.CaseID)
			}
		case err != nil:
			return 0, err
		case c.IsErased():
			pending = append(pending, e.CaseID)
		case c.Status == StatusClosed && c.Closed.Before(before):
			due = append(due, e.CaseID)
		}
	}
	n, err := s.erase(ctx, due, pending)
	if err != nil {
		return n, err
	}
	return n, s.dropLive(ctx, orphans)
}

// purgePending marks an erased case whose messages may not all be deleted
// yet: set with the erasure, removed once they are (Case.PurgePending).
const purgePending = "purge_pending"

// erase strips the cases and then deletes their messages and deliveries:
// in that order, so that AddMessage and RecordDelivery, which check the
// case after inserting, never leave a message behind. A stripped case is
// marked purge_pending (and erased in colLive) until its messages are
// gone; pending are cases so marked by an earlier erase that stopped
// midway, finished here. Finished cases leave colLive. It returns how many
// cases were not erased before.
func (s *Cases) erase(ctx context.Context, ids, pending []string) (int, error) {
	n := 0
	for _, id := range ids {
		did, err := s.eraseCase(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue // listed, never created: only unlisted below
		}
		if err != nil {
			return n, err
		}
		if did {
			n++
		}
	}
	all := slices.Compact(slices.Sorted(slices.Values(append(pending, ids...))))
	for chunk := range slices.Chunk(all, 500) {
		if err := deleteByField(ctx, s, s.messages, "case_id", chunk); err != nil {
			return n, fmt.Errorf("cases: deleting messages: %w", err)
		}
		if err := deleteByField(ctx, s, s.deliveries, "case_id", chunk); err != nil {
			return n, fmt.Errorf("cases: deleting deliveries: %w", err)
		}
		for _, id := range chunk {
			// The older revisions go first (again, if an erasure stopped
			// before), then the mark.
			c, err := s.Get(ctx, id)
			if errors.Is(err, store.ErrNotFound) || err == nil && !c.PurgePending {
				continue
			}
			if err != nil {
				return n, err
			}
			if err := s.stripRevisions(ctx, id, c.Rev); err != nil {
				return n, err
			}
			if _, err := s.update(ctx, id, true, func(c *Case, _ time.Time) (bool, error) {
				changed := c.PurgePending
				c.PurgePending = false
				return changed, nil
			}); err != nil && !errors.Is(err, store.ErrNotFound) {
				return n, fmt.Errorf("cases: finishing erasure: %w", err)
			}
		}
		if err := s.dropLive(ctx, chunk); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (s *Cases) eraseCase(ctx context.Context, id string) (bool, error) {
	var before Case // as it was, for its open claim
	c, err := s.update(ctx, id, true, func(c *Case, now time.Time) (bool, error) {
		before = Case{}
		if c.IsErased() {
			return false, nil
		}
		before = clone(*c)
		c.ChatID, c.Status, c.Erased, c.PurgePending = 0, StatusClosed, now, true
		if c.Closed.IsZero() {
			c.Closed = now
		}
		for i := range c.Referrals {
			c.Referrals[i].Note = ""
		}
		c.PersonName, c.Answers, c.Summary, c.Outcome = "", nil, "", ""
		return true, nil
	})
	if err != nil || before.ID == "" {
		return false, err
	}
	if err := s.stripRevisions(ctx, id, c.Rev); err != nil {
		return true, err
	}
	before.Rev = c.Rev
	if err := s.markLiveErased(ctx, id); err != nil {
		return true, err
	}
	return true, s.releaseOpenClaim(ctx, before)
}

// Needles is what FindTraces looks for: the person's chat id (as a number
// anywhere, or as decimal digits inside any string) and any strings that
// were theirs (name, message texts, answers). Use distinctive values: a
// short needle matches unrelated text.
type Needles struct {
	ChatID  int64
	Strings []string
}

// Trace is one place where a needle was found.
type Trace struct {
	Collection string
	DocumentID string
	// Where is the field path (or "raw bytes") and what matched.
	Where string
}

// FindTraces reads every document of every collection of this package
// (Collections) as raw BSON and reports each trace of the needles: in
// keys, string values, numbers equal to the chat id, binary data, and
// anywhere in the document's bytes. After Forget(chatID) it must find
// nothing for that person.
func FindTraces(ctx context.Context, st *store.Store, n Needles) ([]Trace, error) {
	var strs []string
	for _, x := range n.Strings {
		if x != "" {
			strs = append(strs, x)
		}
	}
	if n.ChatID != 0 {
		strs = append(strs, strconv.FormatInt(n.ChatID, 10))
	}
	var out []Trace
	for _, name := range Collections() {
		cur, err := st.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			return nil, fmt.Errorf("cases: scanning %s: %w", name, err)
		}
		for cur.Next(ctx) {
			raw := bson.Raw(slices.Clone(cur.Current))
			docID := raw.Lookup("_id").String()
			found := false
			report := func(where string) {
				found = true
				out = append(out, Trace{Collection: name, DocumentID: docID, Where: where})
			}
			if err := walkRaw(raw, "", n.ChatID, strs, report); err != nil {
				_ = cur.Close(ctx)
				return nil, fmt.Errorf("cases: scanning %s %s: %w", name, docID, err)
			}
			for _, x := range strs {
				if !found && bytes.Contains(raw, []byte(x)) {
					report(fmt.Sprintf("raw bytes contain %q", x))
				}
			}
		}
		if err := cur.Err(); err != nil {
			_ = cur.Close(ctx)
			return nil, fmt.Errorf("cases: scanning %s: %w", name, err)
		}
		_ = cur.Close(ctx)
	}
	return out, nil
}

func walkRaw(doc bson.Raw, path string, chatID int64, strs []string, report func(string)) error {
	elems, err := doc.Elements()
	if err != nil {
		return err
	}
	for _, e := range elems {
		key := e.Key()
		p := key
		if path != "" {
			p = path + "." + key
		}
		for _, x := range strs {
			if strings.Contains(key, x) {
				report(fmt.Sprintf("key %s contains %q", p, x))
			}
		}
		v := e.Value()
		switch v.Type {
		case bson.TypeString:
			for _, x := range strs {
				if strings.Contains(v.StringValue(), x) {
					report(fmt.Sprintf("%s contains %q", p, x))
				}
			}
		case bson.TypeInt32, bson.TypeInt64:
			if chatID != 0 && v.AsInt64() == chatID {
				report(fmt.Sprintf("%s is the chat id", p))
			}
		case bson.TypeDouble:
			if f := v.Double(); chatID != 0 && f == math.Trunc(f) && int64(f) == chatID {
				report(fmt.Sprintf("%s is the chat id", p))
			}
		case bson.TypeBinary:
			_, data := v.Binary()
			for _, x := range strs {
				if bytes.Contains(data, []byte(x)) {
					report(fmt.Sprintf("%s (binary) contains %q", p, x))
				}
			}
		case bson.TypeEmbeddedDocument:
			if err := walkRaw(v.Document(), p, chatID, strs, report); err != nil {
				return err
			}
		case bson.TypeArray:
			if err := walkRaw(bson.Raw(v.Array()), p, chatID, strs, report); err != nil {
				return err
			}
		}
	}
	return nil
}
