package bot

import (
	"strings"
	"time"
	_ "time/tzdata" // Europe/Rome on machines without a zoneinfo database

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
)

// Coalescing: a group allows about 20 messages a minute, so a person who
// writes 30 short messages on an open case fills the case's topic for a
// minute and a half, one message at a time. Instead, when the sender is
// about to send a text that carries a coalescing key (chat.Outgoing.Coalesce:
// a person's text relayed to their case's topic), it takes with it the
// texts of the same key already waiting right behind it in the same topic
// and sends them all as ONE message:
//
//	🕑 14:02
//	first text
//
//	🕑 14:03
//	second text
//
// Guarantees:
//   - only what is already queued is merged: no message waits for more;
//     with no backlog every text goes alone, as before (a person's text as
//     a copy of their message);
//   - order is kept: the run stops at the first message of the topic that
//     cannot join (the case card, a notice, media, a location, anything
//     with buttons, a reply, another key), and that message follows it;
//   - every text is present in full, with its formatting (entities are
//     moved to their place in the merged text); a run stops before the
//     merged text would pass Telegram's 4096 characters, and the rest goes
//     in the next message (which may merge again);
//   - the one Telegram message id is recorded as the outcome of every
//     entry merged, in one write with the head's outcome, and the group
//     sends nothing more until it is recorded: a crash between the send
//     and the record repeats that one message at the next start (its
//     texts whose outcome was not recorded, merged again: Start hands the
//     pending messages over at once, in order), never loses a text, and
//     never repeats more than one message;
//   - if Telegram refuses a merged message for good, its texts are sent
//     again one by one, so one bad text cannot fail the others.
//
// Erasure is unaffected: erasing a person deletes the case's whole topic,
// merged messages included, and the outbox entries (which hold the texts)
// by their cause.

// mergeable reports whether m may be merged with others of its key: a text
// (or a copy whose text is known) to a group's topic and nothing more.
func mergeable(m chat.Outgoing) bool {
	return m.Coalesce != "" && m.ChatID < 0 && m.Text != "" &&
		len(m.Buttons) == 0 && len(m.Keyboard) == 0 && !m.RemoveKeyboard && m.ReplyTo == 0 &&
		m.Location == nil && m.Venue == nil && m.FileID == "" && m.Document == nil &&
		m.CallbackID == "" && !m.Ephemeral
}

// mergeSeparator goes between two texts of a merged message.
const mergeSeparator = "\n\n"

// mergeRun returns the entries to send as one message: items[0] (the head,
// chosen by fairness) and the mergeable entries of its topic and key that
// follow it without anything else of that topic in between, while the
// merged text fits one Telegram message. Other topics' entries in between
// are skipped (each topic keeps its own order; fairness orders topics).
func mergeRun(items []store.OutboxEntry) []store.OutboxEntry {
	head := items[0]
	run := items[:1:1]
	if !mergeable(head.Msg) {
		return run
	}
	size := chat.TextLength(mergePart(head))
	for _, e := range items[1:] {
		if e.Msg.ThreadID != head.Msg.ThreadID {
			continue
		}
		if !mergeable(e.Msg) || e.Msg.Coalesce != head.Msg.Coalesce {
			break
		}
		size += chat.TextLength(mergeSeparator + mergePart(e))
		if size > MaxMessageLen {
			break
		}
		run = append(run, e)
	}
	return run
}

// mergePart is one entry's text as it appears in a merged message: its
// time, then the text.
func mergePart(e store.OutboxEntry) string { return mergeHeader(e) + e.Msg.Text }

func mergeHeader(e store.OutboxEntry) string {
	if e.CreatedAt.IsZero() {
		return "🕑\n"
	}
	return "🕑 " + e.CreatedAt.In(rome).Format("15:04") + "\n"
}

// rome is the help points' time zone: the times in merged messages.
var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic("bot: Europe/Rome: " + err.Error()) // cannot happen with time/tzdata
	}
	return loc
}()

// mergeMessages is the one message that carries run: the head's topic and
// flags, the texts in order, each with its time and its own formatting.
func mergeMessages(run []store.OutboxEntry) chat.Outgoing {
	out := run[0].Msg
	out.CopyOf, out.Entities = nil, nil
	var b strings.Builder
	for i, e := range run {
		if i > 0 {
			b.WriteString(mergeSeparator)
		}
		b.WriteString(mergeHeader(e))
		out.Entities = append(out.Entities, chat.ShiftEntities(e.Msg.Entities, chat.TextLength(b.String()))...)
		b.WriteString(e.Msg.Text)
		out.Urgent = out.Urgent || e.Msg.Urgent
	}
	out.Text = b.String()
	return out
}

// coalesce returns the job that sends head: head alone, or head merged
// with the texts waiting behind it (see above). The queue's head is fixed
// while it is reserved, so the run read here is the one finish removes.
func (s *sender) coalesce(chatID int64, head store.OutboxEntry) sendJob {
	job := sendJob{chatID: chatID, entry: head}
	if chatID >= 0 || !mergeable(head.Msg) {
		return job
	}
	s.mu.Lock()
	var run []store.OutboxEntry
	if q := s.chats[chatID]; q != nil && len(q.items) > 0 && q.items[0].ID == head.ID {
		run = append(run, mergeRun(q.items)...)
	}
	s.mu.Unlock()
	if len(run) < 2 {
		return job
	}
	job.entry.Msg = mergeMessages(run)
	for _, e := range run[1:] {
		job.merged = append(job.merged, e.ID)
		if !e.CreatedAt.IsZero() {
			s.m.groupDelay.Observe(time.Since(e.CreatedAt).Seconds())
		}
	}
	s.m.coalesced.Add(uint64(len(run) - 1))
	return job
}

// takeMerged removes the entries merged into j from the chat's queue and
// returns their outcome: the same as the head's (r), under their own ids.
// The caller holds s.mu.
func (s *sender) takeMerged(q *chatQueue, j sendJob, r store.OutboxResult) []store.OutboxResult {
	if len(j.merged) == 0 {
		return nil
	}
	merged := make(map[string]bool, len(j.merged))
	for _, id := range j.merged {
		merged[id] = true
	}
	var results []store.OutboxResult
	kept := q.items[:0]
	for _, e := range q.items {
		if merged[e.ID] {
			r.ID = e.ID
			results = append(results, r)
			s.depth--
			continue
		}
		kept = append(kept, e)
	}
	clear(q.items[len(kept):])
	q.items = kept
	return results
}

// unmerge makes the texts merged into j go one by one (Telegram refused
// the merged message for good): it reports false when j merged nothing.
// The caller holds s.mu.
func (s *sender) unmerge(q *chatQueue, j sendJob) bool {
	if len(j.merged) == 0 {
		return false
	}
	merged := map[string]bool{j.entry.ID: true}
	for _, id := range j.merged {
		merged[id] = true
	}
	for i := range q.items {
		if merged[q.items[i].ID] {
			q.items[i].Msg.Coalesce = ""
		}
	}
	return true
}

// results are the outcomes o records: its own and those of the entries
// merged into its message.
func (o outcome) results() []store.OutboxResult {
	return append([]store.OutboxResult{o.OutboxResult}, o.merged...)
}
