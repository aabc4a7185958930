package bot

import (
	"github.com/prils-lazio/presidio/internal/store"
)

// fairness makes a group's queue fair between its forum topics (one topic
// per case). A group is one chat for Telegram's limits (about 20 messages a
// minute), so a plain FIFO lets one person who writes 30 messages hold back
// every other case, a new case's card included. Instead the next message
// is taken, topic by topic, in this order:
//
//  1. an urgent case's topic (chat.Outgoing.Urgent), unless it was also
//     the last one served while other topics wait;
//  2. the topic served least recently; a topic never served yet (a new
//     case: its card) counts as least recent of all.
//
// Within a topic messages keep their order (Seq); only the order between
// topics changes. The group still sends one message at a time and records
// its outcome before the next, so the crash guarantee (at most one message
// repeated per chat) is unchanged.
type fairness struct {
	served     uint64         // messages sent so far
	lastServed map[int]uint64 // topic → value of served when last picked
	last       int            // topic picked last
}

func newFairness() *fairness { return &fairness{lastServed: map[int]uint64{}} }

// pickHead moves the message to send next to the front of items: the first
// queued message of the topic chosen as above.
func (f *fairness) pickHead(q *chatQueue) {
	if len(q.items) < 2 {
		return
	}
	best, bestKey := -1, uint64(0)
	seen := map[int]bool{}
	topics := 0
	for _, it := range q.items {
		if !seen[it.Msg.ThreadID] {
			seen[it.Msg.ThreadID] = true
			topics++
		}
	}
	clear(seen)
	for i, it := range q.items {
		th := it.Msg.ThreadID
		if seen[th] {
			continue
		}
		seen[th] = true
		key := f.lastServed[th] + 1 // 0 is kept for urgent topics
		if it.Msg.Urgent && !(th == f.last && topics > 1) {
			key = 0
		}
		if best < 0 || key < bestKey {
			best, bestKey = i, key
		}
	}
	if best > 0 {
		chosen := q.items[best]
		copy(q.items[1:best+1], q.items[:best])
		q.items[0] = chosen
	}
	th := q.items[0].Msg.ThreadID
	f.served++
	f.lastServed[th], f.last = f.served, th
	if len(f.lastServed) > 4*len(seen)+64 { // forget topics no longer queued
		for t := range f.lastServed {
			if !seen[t] {
				delete(f.lastServed, t)
			}
		}
	}
}

// insert puts e in a fair queue: after the messages of its topic with a
// lower Seq, so each topic stays in order, and never before a head already
// chosen (inFlight).
func (f *fairness) insert(q *chatQueue, e store.OutboxEntry, inFlight bool) {
	lo := 0
	if inFlight && len(q.items) > 0 {
		lo = 1
	}
	for i := lo; i < len(q.items); i++ {
		if q.items[i].Msg.ThreadID == e.Msg.ThreadID && q.items[i].Seq > e.Seq {
			q.items = append(q.items[:i+1], q.items[i:]...)
			q.items[i] = e
			return
		}
	}
	q.items = append(q.items, e)
}
