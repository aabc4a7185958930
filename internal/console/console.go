// Package console is the web console of the help points at /console/:
// operators answer cases, coordinators and operators keep the directory,
// schools and coordinators keep the courses (a school its own site's) and
// read their enrolments, partners read the directory and send referral
// notes. Pages are server-rendered html/template, light enough for a cheap
// phone, with no front-end build.
//
// Security: bcrypt passwords (console_users), an HttpOnly SameSite=Lax
// session cookie (Secure over HTTPS) that expires after SessionIdle without
// requests, a CSRF token on every form (a POST without it gets 403), login
// attempts limited per account and per address (429), and an append-only
// audit log (console_audit) of every view or change of personal data.
package console

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/store"
)

// CaseStore is what the console needs of the case store (*cases.Cases).
type CaseStore interface {
	List(ctx context.Context, f cases.Filter) ([]cases.Case, error)
	Get(ctx context.Context, id string) (cases.Case, error)
	Messages(ctx context.Context, caseID string) ([]cases.Message, error)
	Take(ctx context.Context, caseID string, op cases.Operator) (winner cases.Operator, won bool, err error)
	Close(ctx context.Context, caseID, outcome string, by cases.Operator) (cases.Case, error)
	Refer(ctx context.Context, caseID, serviceID string, by cases.Operator, note string) (cases.Case, error)
	// AddMessage stores operators' internal notes (DirNote).
	AddMessage(ctx context.Context, m cases.Message) (bool, error)
}

// Replier sends an operator's reply to the person of a case (the app does
// it through the escalation desk and the bot's persisted outbox).
type Replier interface {
	Reply(ctx context.Context, caseID string, op cases.Operator, text string) error
}

// ReplierFunc adapts a function to Replier.
type ReplierFunc func(ctx context.Context, caseID string, op cases.Operator, text string) error

// Reply calls f.
func (f ReplierFunc) Reply(ctx context.Context, caseID string, op cases.Operator, text string) error {
	return f(ctx, caseID, op, text)
}

// DirectoryStore is what the console needs of the directory
// (*directory.Directory).
type DirectoryStore interface {
	List(ctx context.Context, f directory.Filter) ([]directory.Service, error)
	Get(ctx context.Context, id string) (directory.Service, error)
	Upsert(ctx context.Context, services []directory.Service) (directory.UpsertResult, error)
	Retire(ctx context.Context, id string) error
	Import(ctx context.Context, name string, r io.Reader) (directory.UpsertResult, error)
	Export(ctx context.Context, w io.Writer) error
}

// CourseStore is what the console needs of the courses (*courses.Courses).
type CourseStore interface {
	List(ctx context.Context) ([]courses.Course, error)
	ListBySite(ctx context.Context, site string) ([]courses.Course, error)
	Get(ctx context.Context, id string) (courses.Course, error)
	Counts(ctx context.Context, courseID string) (courses.Counts, error)
	Enrolments(ctx context.Context, courseID string) ([]courses.Enrolment, error)
	// Upsert, Import and Retire change the list (the console's course
	// form, file import and retire button).
	Upsert(ctx context.Context, list []courses.Course) (courses.UpsertResult, error)
	Import(ctx context.Context, name string, r io.Reader) (courses.UpsertResult, error)
	Retire(ctx context.Context, id string) error
}

// BridgeSwitch switches the language bridge for one case.
type BridgeSwitch interface {
	SetBridge(ctx context.Context, caseID string, on bool) error
}

// LanguageStore keeps the languages each counsellor reads, under the
// counsellor's operator ID ("console:<name>" here, the Telegram user id in
// the operators' group).
type LanguageStore interface {
	Languages(ctx context.Context, opID string) ([]string, error)
	SetLanguages(ctx context.Context, op cases.Operator, langs []string) error
}

// Accounts checks logins and reads accounts (*Users).
type Accounts interface {
	Authenticate(ctx context.Context, name, password string) (User, error)
	Get(ctx context.Context, name string) (User, error)
}

// Texts localizes the console (locales.Catalog does). Every id starts with
// "console."; DefaultTexts has them all in Italian and English.
type Texts interface {
	Text(lang, id string, data map[string]any) string
}

// Config is what a Console is built from. Cases, Directory and Courses
// may be nil: their pages then answer 404.
type Config struct {
	Accounts  Accounts
	Audit     Audit
	Cases     CaseStore
	Replier   Replier
	Directory DirectoryStore
	Courses   CourseStore
	// Notes keeps partners' referral notes (nil: the page is off).
	Notes NoteStore
	// Observatory, when set, is served to coordinators under
	// <Prefix>/observatory/ (the anonymous dashboard and its exports).
	Observatory http.Handler
	// Announcements, when set, is served to coordinators and schools under
	// <Prefix>/announce/; it reads who is logged in with Current.
	Announcements http.Handler
	// Bridge switches the language bridge for a case (the escalation
	// desk, which tells the case's topic); nil: no translation service is
	// configured and no switch is shown.
	Bridge BridgeSwitch
	// Readers records which languages each counsellor reads (*cases.Cases);
	// nil: the "My languages" page is off.
	Readers LanguageStore
	// PersonExport returns everything kept about a person (by chat id),
	// counsellors' notes included, for a formal access request; served to
	// coordinators from a case's page. nil: not offered.
	PersonExport func(ctx context.Context, chatID int64) ([]byte, error)
	// Texts defaults to DefaultTexts().
	Texts Texts
	// Prefix is where the console is mounted; default "/console".
	Prefix string
	// TrustProxy trusts X-Forwarded-Proto and X-Forwarded-For (set it
	// only behind a reverse proxy that sets them).
	TrustProxy bool
	// SessionIdle ends a session after this long without requests;
	// default 8 hours.
	SessionIdle time.Duration
	// LoginLimit login attempts per LoginWindow per account, then 429;
	// default 5 per 15 minutes. A successful login does not count.
	LoginLimit  int
	LoginWindow time.Duration
	// LoginAddrLimit login attempts per LoginWindow per client address
	// (slows down trying many accounts); default 30. The address is only
	// counted when it is a person's: behind a reverse proxy without
	// TrustProxy every request comes from the proxy's loopback address,
	// which is then not limited (else anyone could lock out all staff).
	LoginAddrLimit int
	// Store, when set, keeps sessions and login throttles in the store,
	// so that several processes on one store share them (without it they
	// are in this process's memory).
	Store *store.Store
	Now   func() time.Time
	Log   *slog.Logger
}

// Console is the http.Handler of the console.
type Console struct {
	cfg      Config
	mux      *http.ServeMux
	throttle throttle
	sessions sessionStore
}

// New returns the console. Accounts and Audit are required.
func New(cfg Config) *Console {
	if cfg.Prefix == "" {
		cfg.Prefix = "/console"
	}
	cfg.Prefix = strings.TrimRight(cfg.Prefix, "/")
	if cfg.Texts == nil {
		cfg.Texts = DefaultTexts()
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 8 * time.Hour
	}
	if cfg.LoginLimit <= 0 {
		cfg.LoginLimit = 5
	}
	if cfg.LoginWindow <= 0 {
		cfg.LoginWindow = 15 * time.Minute
	}
	if cfg.LoginAddrLimit <= 0 {
		cfg.LoginAddrLimit = 30
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	c := &Console{cfg: cfg, sessions: &memSessions{}, throttle: &memThrottle{window: cfg.LoginWindow}}
	if cfg.Store != nil {
		c.sessions = storeSessions{st: cfg.Store}
		c.throttle = &storeThrottle{st: cfg.Store, window: cfg.LoginWindow}
	}
	c.routes()
	return c
}

// ServeHTTP serves every path under the prefix.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'")
	c.mux.ServeHTTP(w, r)
}

const (
	sessionCookie = "presidio_console"
	loginCookie   = "presidio_console_login"
	langCookie    = "presidio_console_lang"
)

func (c *Console) secure(r *http.Request) bool {
	return r.TLS != nil || (c.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

func (c *Console) clientAddr(r *http.Request) string {
	if c.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: c.cfg.Prefix + "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.secure(r),
	})
}

// newSession starts a session for the user and returns its token.
func (c *Console) newSession(ctx context.Context, user string) (string, error) {
	tok := randomToken(32)
	err := c.sessions.create(ctx, tok, session{User: user, CSRF: randomToken(24), LastSeen: c.cfg.Now()}, c.cfg.SessionIdle)
	return tok, err
}

// session returns the request's live session (touching it) or nil.
func (c *Console) session(r *http.Request) (string, *session) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return "", nil
	}
	s, err := c.sessions.get(r.Context(), ck.Value, c.cfg.Now(), c.cfg.SessionIdle)
	if err != nil {
		c.cfg.Log.Error("console: reading the session", "error", err)
		return "", nil
	}
	if s == nil {
		return "", nil
	}
	return ck.Value, s
}

func (c *Console) endSession(ctx context.Context, token string) { c.sessions.delete(ctx, token) }

// loginKeys are the throttle's keys of a login attempt with their limits:
// the account, and the client's address when it is known to be theirs.
func (c *Console) loginKeys(r *http.Request, name string) (keys []string, limits []int) {
	keys, limits = []string{"acct:" + name}, []int{c.cfg.LoginLimit}
	addr := c.clientAddr(r)
	if ip := net.ParseIP(addr); ip != nil && ip.IsLoopback() && !c.cfg.TrustProxy {
		return keys, limits // a local proxy's address stands for everyone
	}
	return append(keys, "addr:"+addr), append(limits, c.cfg.LoginAddrLimit)
}

type currentKey struct{}

type current struct {
	user User
	csrf string
	lang string
}

// Current returns the logged-in user and their form token, for a handler
// the console mounts (Announcements); ok is false outside the console.
func Current(r *http.Request) (user User, csrf string, ok bool) {
	c, ok := r.Context().Value(currentKey{}).(current)
	return c.user, c.csrf, ok
}

// Lang returns the console language of the request ("it" outside the
// console), for a handler the console mounts.
func Lang(r *http.Request) string {
	if c, ok := r.Context().Value(currentKey{}).(current); ok && c.lang != "" {
		return c.lang
	}
	return "it"
}
