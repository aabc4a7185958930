package console

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/store"
)

// maxBody bounds request bodies (a directory CSV included).
const maxBody = 4 << 20

var (
	caseStaff  = []Role{RoleCoordinator, RoleOperator}
	dirReaders = []Role{RoleCoordinator, RoleOperator, RolePartner}
	courseRead = []Role{RoleCoordinator, RoleSchool}
	announcers = []Role{RoleCoordinator, RoleSchool}
	observers  = []Role{RoleCoordinator}
	langRE     = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z]{2,4})?$`)
)

func (c *Console) routes() {
	p := c.cfg.Prefix
	m := http.NewServeMux()
	m.HandleFunc("GET "+p+"/login", c.loginForm)
	m.HandleFunc("POST "+p+"/login", c.login)
	m.HandleFunc("POST "+p+"/logout", c.auth(nil, c.logout))
	m.HandleFunc("GET "+p+"/{$}", c.auth(nil, c.home))
	m.HandleFunc("GET "+p, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, p+"/", http.StatusSeeOther) })

	m.HandleFunc("GET "+p+"/cases", c.auth(caseStaff, c.caseList))
	m.HandleFunc("GET "+p+"/cases/{id}", c.auth(caseStaff, c.casePage))
	m.HandleFunc("POST "+p+"/cases/{id}/reply", c.auth(caseStaff, c.caseReply))
	m.HandleFunc("POST "+p+"/cases/{id}/note", c.auth(caseStaff, c.caseNote))
	m.HandleFunc("POST "+p+"/cases/{id}/take", c.auth(caseStaff, c.caseTake))
	m.HandleFunc("POST "+p+"/cases/{id}/close", c.auth(caseStaff, c.caseClose))
	m.HandleFunc("POST "+p+"/cases/{id}/refer", c.auth(caseStaff, c.caseRefer))
	m.HandleFunc("POST "+p+"/cases/{id}/bridge", c.auth(caseStaff, c.caseBridge))
	m.HandleFunc("GET "+p+"/cases/{id}/person-export.json", c.auth([]Role{RoleCoordinator}, c.personExport))
	m.HandleFunc("GET "+p+"/languages", c.auth(caseStaff, c.languagesPage))
	m.HandleFunc("POST "+p+"/languages", c.auth(caseStaff, c.languagesSave))

	m.HandleFunc("GET "+p+"/directory", c.auth(dirReaders, c.dirList))
	m.HandleFunc("GET "+p+"/directory/export.csv", c.auth(caseStaff, c.dirExport))
	m.HandleFunc("GET "+p+"/directory/edit", c.auth(caseStaff, c.dirEdit))
	m.HandleFunc("POST "+p+"/directory/save", c.auth(caseStaff, c.dirSave))
	m.HandleFunc("POST "+p+"/directory/retire", c.auth(caseStaff, c.dirRetire))
	m.HandleFunc("POST "+p+"/directory/import", c.auth(caseStaff, c.dirImport))

	m.HandleFunc("GET "+p+"/courses", c.auth(courseRead, c.courseList))
	m.HandleFunc("GET "+p+"/courses/edit", c.auth(courseRead, c.courseEdit))
	m.HandleFunc("POST "+p+"/courses/save", c.auth(courseRead, c.courseSave))
	m.HandleFunc("POST "+p+"/courses/import", c.auth(courseRead, c.courseImport))
	m.HandleFunc("POST "+p+"/courses/{id}/retire", c.auth(courseRead, c.courseRetire))
	m.HandleFunc("GET "+p+"/courses/{id}", c.auth(courseRead, c.coursePage))
	m.HandleFunc("GET "+p+"/courses/{id}/enrolments.csv", c.auth(courseRead, c.courseCSV))
	m.HandleFunc("GET "+p+"/courses/{id}/enrolments.xlsx", c.auth(courseRead, c.courseXLSX))

	m.HandleFunc("GET "+p+"/notes", c.auth([]Role{RoleCoordinator, RoleOperator, RolePartner}, c.notesPage))
	m.HandleFunc("POST "+p+"/notes", c.auth([]Role{RolePartner, RoleCoordinator}, c.noteSend))

	m.HandleFunc("GET "+p+"/audit", c.auth([]Role{RoleCoordinator}, c.auditPage))
	if c.cfg.Announcements != nil {
		ann := http.StripPrefix(p+"/announce", c.cfg.Announcements)
		framed := c.framed(ann)
		serve := func(w http.ResponseWriter, r *http.Request, q *req) {
			ctx := context.WithValue(r.Context(), currentKey{}, current{user: q.User, csrf: q.Sess.CSRF, lang: q.Lang})
			framed(w, r.WithContext(ctx), q)
		}
		m.HandleFunc(p+"/announce/", c.auth(announcers, serve))
	}
	if c.cfg.Observatory != nil {
		obs := http.StripPrefix(p+"/observatory", c.cfg.Observatory)
		m.HandleFunc("GET "+p+"/observatory/", c.auth(observers, c.framed(obs)))
	}
	m.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) { c.fail(w, r, nil, http.StatusNotFound) })
	c.mux = m
}

// req is one authenticated request.
type req struct {
	User  User
	Token string
	Sess  *session
	Lang  string
}

func (q *req) op() cases.Operator {
	return cases.Operator{ID: "console:" + q.User.Name, Name: q.User.Name}
}

type handler func(w http.ResponseWriter, r *http.Request, q *req)

// lang picks the UI language: ?lang= (remembered in a cookie), the cookie,
// else Italian.
func (c *Console) lang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); langRE.MatchString(l) {
		c.setCookie(w, r, langCookie, l, 365*24*3600)
		return l
	}
	if ck, err := r.Cookie(langCookie); err == nil && langRE.MatchString(ck.Value) {
		return ck.Value
	}
	return "it"
}

// auth runs h for a logged-in, enabled account with one of roles (nil: any),
// checking the CSRF token of every POST.
func (c *Console) auth(roles []Role, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		lang := c.lang(w, r)
		tok, s := c.session(r)
		if s == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, c.cfg.Prefix+"/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.fail(w, r, &req{Lang: lang}, http.StatusForbidden)
			return
		}
		u, err := c.cfg.Accounts.Get(r.Context(), s.User)
		if err != nil || u.Disabled {
			c.endSession(r.Context(), tok)
			c.setCookie(w, r, sessionCookie, "", -1)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				c.cfg.Log.Error("console: reading the account", "error", err)
			}
			http.Redirect(w, r, c.cfg.Prefix+"/login", http.StatusSeeOther)
			return
		}
		q := &req{User: u, Token: tok, Sess: s, Lang: lang}
		if r.Method == http.MethodPost {
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.CSRF)) != 1 {
				c.fail(w, r, q, http.StatusForbidden)
				return
			}
		}
		if roles != nil && !slices.Contains(roles, u.Role) {
			c.fail(w, r, q, http.StatusForbidden)
			return
		}
		h(w, r, q)
	}
}

func (c *Console) fail(w http.ResponseWriter, r *http.Request, q *req, status int) {
	if q == nil {
		q = &req{Lang: c.lang(w, r)}
	}
	id := "console.error.generic"
	switch status {
	case http.StatusForbidden:
		id = "console.error.forbidden"
	case http.StatusNotFound:
		id = "console.error.not_found"
	case http.StatusTooManyRequests:
		id = "console.error.too_many"
	}
	c.render(w, r, q, status, "error", map[string]any{"Message": c.cfg.Texts.Text(q.Lang, id, nil)})
}

func (c *Console) internal(w http.ResponseWriter, r *http.Request, q *req, err error) {
	c.cfg.Log.Error("console", "path", r.URL.Path, "error", err)
	c.fail(w, r, q, http.StatusInternalServerError)
}

func (c *Console) audit(ctx context.Context, r *http.Request, q *req, e AuditEntry) error {
	e.Actor, e.Role, e.At, e.Addr = q.User.Name, q.User.Role, c.cfg.Now(), c.clientAddr(r)
	return c.cfg.Audit.Record(ctx, e)
}
