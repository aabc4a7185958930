package storetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
)

// Fault says what happens to a command a rule matches.
type Fault int

const (
	// LandThenDrop forwards the command, lets the store execute it, and
	// closes the connection instead of passing the reply on: the caller
	// sees a network error for a write that landed (as after a timeout, or
	// a replica-set step-down).
	LandThenDrop Fault = iota
	// FailBefore answers with an error without forwarding the command:
	// nothing is written.
	FailBefore
)

// Rule matches commands on their way to the store. Command is the command
// name ("insert", "update", "delete", "find"…), Collection its target, and
// Contains, if set, a byte string the whole message must contain (a
// document's _id, say). Times is how many matching commands it acts on;
// negative means always.
type Rule struct {
	Command    string
	Collection string
	Contains   string
	Fault      Fault
	Times      int

	hits int
}

// Faults is a wire-protocol proxy between the driver and a real store that
// injects faults at the store boundary. Nothing is faked: every command it
// lets through is executed by the store.
type Faults struct {
	mu    sync.Mutex
	rules []*Rule

	// crash points (crash.go)
	storeURI             string
	writes, crashAt      int
	crashLanded, crashed bool
}

// Add installs a rule; it returns the rule, whose Hits tells how often it
// acted.
func (f *Faults) Add(r Rule) *Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	rp := &r
	f.rules = append(f.rules, rp)
	return rp
}

// Clear removes every rule.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

// Hits is how many commands the rule acted on.
func (f *Faults) Hits(r *Rule) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return r.hits
}

func (f *Faults) match(cmd, coll string, msg []byte) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if r.Times == 0 || (r.Command != "" && r.Command != cmd) || (r.Collection != "" && r.Collection != coll) ||
			(r.Contains != "" && !bytes.Contains(msg, []byte(r.Contains))) {
			continue
		}
		if r.Times > 0 {
			r.Times--
		}
		r.hits++
		return r.Fault, true
	}
	return 0, false
}

// OpenWithFaults returns a store for one test that reaches the embedded
// FerretDB through a fault-injecting proxy. (Against MONGODB_URI the proxy
// stands in front of that server.)
func OpenWithFaults(t testing.TB) (*store.Store, *Faults) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	target, database := "", "presidio"
	if os.Getenv("MONGODB_URI") != "" {
		t.Skip("fault injection runs against the embedded store")
	}
	emb, err := store.StartEmbedded(ctx, t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Close)
	target = hostOf(emb.URI())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &Faults{storeURI: "mongodb://" + target + "/?directConnection=true&retryWrites=false"}
	go f.serve(ln, target)
	t.Cleanup(func() { ln.Close() })
	s, err := store.Open(ctx, store.Config{URI: "mongodb://" + ln.Addr().String() + "/?directConnection=true&retryWrites=false", Database: database}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
	return s, f
}

func hostOf(uri string) string {
	u := uri[len("mongodb://"):]
	if i := bytes.IndexAny([]byte(u), "/?"); i >= 0 {
		u = u[:i]
	}
	return u
}

func (f *Faults) serve(ln net.Listener, target string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			continue
		}
		go f.pipe(c, s)
	}
}

// pipe relays whole messages both ways, applying the rules to commands.
func (f *Faults) pipe(client, server net.Conn) {
	var wmu sync.Mutex // writes to client
	var dropMu sync.Mutex
	drop := map[int32]bool{} // request ids whose reply is not passed on
	closeBoth := func() { client.Close(); server.Close() }
	go func() {
		defer closeBoth()
		for {
			msg, err := readMessage(server)
			if err != nil {
				return
			}
			responseTo := int32(binary.LittleEndian.Uint32(msg[8:12]))
			dropMu.Lock()
			d := drop[responseTo]
			dropMu.Unlock()
			if d {
				return // the write landed; its caller sees the connection die
			}
			wmu.Lock()
			_, err = client.Write(msg)
			wmu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	defer closeBoth()
	for {
		msg, err := readMessage(client)
		if err != nil {
			return
		}
		cmd, coll := commandOf(msg)
		forward, dieAfter := f.crashStep(cmd)
		if !forward {
			return // the process is gone: nothing more reaches the store
		}
		fault, hit := f.match(cmd, coll, msg)
		if dieAfter { // the write lands; its reply never comes back
			fault, hit = LandThenDrop, true
		}
		switch {
		case hit && fault == FailBefore:
			wmu.Lock()
			_, err = client.Write(errorReply(msg))
			wmu.Unlock()
			if err != nil {
				return
			}
			continue
		case hit && fault == LandThenDrop:
			dropMu.Lock()
			drop[int32(binary.LittleEndian.Uint32(msg[4:8]))] = true
			dropMu.Unlock()
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
	}
}

func readMessage(r io.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(head[:]))
	if n < 16 || n > 64<<20 {
		return nil, io.ErrUnexpectedEOF
	}
	msg := make([]byte, n)
	copy(msg, head[:])
	_, err := io.ReadFull(r, msg[4:])
	return msg, err
}

const opMsg = 2013

// commandOf reads the command name and target collection of an OP_MSG (the
// first element of its body document).
func commandOf(msg []byte) (cmd, coll string) {
	if binary.LittleEndian.Uint32(msg[12:16]) != opMsg || len(msg) < 21 || msg[20] != 0 {
		return "", ""
	}
	body := bson.Raw(msg[21:])
	elems, err := body.Elements()
	if err != nil || len(elems) == 0 {
		return "", ""
	}
	coll, _ = elems[0].Value().StringValueOK()
	return elems[0].Key(), coll
}

// errorReply is an OP_MSG answering msg with {ok: 0} and a non-retryable
// error code.
func errorReply(msg []byte) []byte {
	doc, _ := bson.Marshal(bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "injected fault"}, {Key: "code", Value: 8}, {Key: "codeName", Value: "UnknownError"}})
	out := make([]byte, 16+4+1+len(doc))
	binary.LittleEndian.PutUint32(out[0:], uint32(len(out)))
	binary.LittleEndian.PutUint32(out[4:], 1)
	copy(out[8:12], msg[4:8]) // responseTo = the request's id
	binary.LittleEndian.PutUint32(out[12:], opMsg)
	out[20] = 0
	copy(out[21:], doc)
	return out
}
