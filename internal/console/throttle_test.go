package console

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// second is another console process on the same store as e's.
func (e *env) second(cfg Config) *env {
	e.t.Helper()
	cfg.Accounts, cfg.Audit, cfg.Store, cfg.Now, cfg.Cases = e.users, e.audit, e.st, e.clock.now, e.cases
	mux := http.NewServeMux()
	mux.Handle("/console/", New(cfg))
	srv := httptest.NewServer(mux)
	e.t.Cleanup(srv.Close)
	return &env{t: e.t, srv: srv, cases: e.cases, dir: e.dir, courses: e.courses, audit: e.audit,
		users: e.users, clock: e.clock, caseID: e.caseID, st: e.st}
}

// Thirty wrong passwords posted at the same moment for one account, half
// to each of two processes on one store: only the limit's worth are
// checked, the others get 429.
func TestLoginThrottleAtomicAcrossProcesses(t *testing.T) {
	e := newEnv(t)
	f := e.second(Config{})
	type try struct {
		c   *http.Client
		tok string
		on  *env
	}
	tries := make([]try, 30)
	for i := range tries {
		on := e
		if i%2 == 1 {
			on = f
		}
		c := on.client()
		tries[i] = try{c, on.csrf(c, "/console/login"), on}
	}
	codes := make([]int, len(tries))
	var wg sync.WaitGroup
	for i, tr := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = tr.on.post(tr.c, "/console/login", url.Values{"csrf": {tr.tok}, "name": {"op"}, "password": {"wrong password"}})
		}()
	}
	wg.Wait()
	counts := map[int]int{}
	for _, c := range codes {
		counts[c]++
	}
	if counts[http.StatusUnauthorized] > 5 || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != 30 {
		t.Fatalf("30 simultaneous wrong passwords: %v, want at most 5×401 and the rest 429", counts)
	}
	// The account stays throttled on both processes, even with the right
	// password.
	for _, on := range []*env{e, f} {
		if code := on.tryLogin(on.client(), "op", pw); code != http.StatusTooManyRequests {
			t.Fatalf("right password after the flood: %d, want 429", code)
		}
	}
}

// Behind a trusted proxy each person's address is counted: one address
// trying many accounts is slowed down, staff at other addresses are not.
func TestLoginThrottlePerAddressBehindProxy(t *testing.T) {
	e := newEnv(t)
	p := e.second(Config{TrustProxy: true, LoginAddrLimit: 6})
	from := func(addr, name, password string) int {
		c := p.client()
		tok := p.csrf(c, "/console/login")
		req, _ := http.NewRequest("POST", p.srv.URL+"/console/login", strings.NewReader(url.Values{"csrf": {tok}, "name": {name}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", addr)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 6 {
		if code := from("203.0.113.9", []string{"a", "b", "c", "d", "e", "f"}[i]+"-nobody", "wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, code)
		}
	}
	if code := from("203.0.113.9", "op", pw); code != http.StatusTooManyRequests {
		t.Fatalf("the spraying address: %d, want 429", code)
	}
	if code := from("198.51.100.7", "op", pw); code != http.StatusSeeOther {
		t.Fatalf("a colleague at another address: %d, want a login", code)
	}
}

// Sessions live in the store: a login on one process is valid on another,
// and logging out on one ends it on both. The token is not stored.
func TestSessionsSharedAcrossProcesses(t *testing.T) {
	e := newEnv(t)
	f := e.second(Config{})
	c := e.login("op")
	u, _ := url.Parse(e.srv.URL + "/console/")
	var token string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			token = ck.Value
		}
	}
	uf, _ := url.Parse(f.srv.URL + "/console/")
	c.Jar.SetCookies(uf, c.Jar.Cookies(u))
	if code, body := f.get(c, "/console/cases"); code != http.StatusOK || !strings.Contains(body, e.caseID) {
		t.Fatalf("the session on the other process: %d", code)
	}
	found, err := scanFor(e, token)
	if err != nil {
		t.Fatal(err)
	}
	if found {
		t.Fatal("the session token is stored as it is")
	}
	tok := f.csrf(c, "/console/cases")
	f.post(c, "/console/logout", url.Values{"csrf": {tok}})
	if code, _ := e.get(c, "/console/cases"); code != http.StatusSeeOther {
		t.Fatalf("after logging out on the other process: %d, want a redirect to the login", code)
	}
}

func TestWeakPasswordsRefused(t *testing.T) {
	for _, pw := range []string{"aaaaaaaaaaaa", "1234567890", "giulia-rossi-1", "Password2024!", "qwertyuiop", "presidio2026"} {
		err := CheckNew("giulia-rossi", RoleOperator, "", pw)
		if err == nil || !strings.Contains(err.Error(), "password") {
			t.Errorf("%q accepted (%v)", pw, err)
		}
	}
	for _, pw := range []string{"correct horse battery", "una-password-lunga", "tre parole a caso"} {
		if err := CheckNew("giulia-rossi", RoleOperator, "", pw); err != nil {
			t.Errorf("%q refused: %v", pw, err)
		}
	}
}

// scanFor reports whether any session document holds s.
func scanFor(e *env, s string) (bool, error) {
	cur, err := e.st.Collection(SessionsCollection).Find(context.Background(), bson.D{})
	if err != nil {
		return false, err
	}
	defer cur.Close(context.Background())
	n := 0
	for cur.Next(context.Background()) {
		n++
		if strings.Contains(cur.Current.String(), s) {
			return true, nil
		}
	}
	if n == 0 {
		return false, fmt.Errorf("no session stored")
	}
	return false, cur.Err()
}
