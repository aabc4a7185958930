package storetest

// Crash points: the proxy can stand for a process that dies between two
// writes. It counts the writes that pass it (insert, update, delete,
// findAndModify); at the chosen one the process "dies" — before the write
// reaches the store, or right after it landed — and from then on nothing
// reaches the store at all, as if the process were gone. A test then
// starts a fresh runtime on a direct connection (StoreURI) and checks what
// the people see. Run the scenario once with no crash to learn how many
// writes it makes (Writes), then once per crash point.

// isWrite reports whether a command changes the store.
func isWrite(cmd string) bool {
	switch cmd {
	case "insert", "update", "delete", "findAndModify":
		return true
	}
	return false
}

// CrashAtWrite makes the process die at its n-th write from now (1 is the
// next): after that write landed if landed, else just before it. n <= 0
// removes the crash point.
func (f *Faults) CrashAtWrite(n int, landed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes, f.crashAt, f.crashLanded, f.crashed = 0, n, landed, false
}

// Crashed reports whether the crash point was reached: the "process" can
// no longer reach the store, and a test must not let it reach Telegram
// either (bot.Config.Fence).
func (f *Faults) Crashed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.crashed
}

// Writes is how many writes passed since CrashAtWrite (or since the
// start).
func (f *Faults) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// StoreURI is the store's own address, without the proxy: where the
// process that "restarts" after a crash connects.
func (f *Faults) StoreURI() string { return f.storeURI }

// crashStep decides what happens to a command under the crash point:
// forward it, and whether the process dies once it is forwarded (its reply
// is then not passed on).
func (f *Faults) crashStep(cmd string) (forward, dieAfter bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.crashed {
		return false, false
	}
	if !isWrite(cmd) {
		return true, false
	}
	f.writes++
	if f.crashAt <= 0 || f.writes != f.crashAt {
		return true, false
	}
	f.crashed = true
	return f.crashLanded, f.crashLanded
}
