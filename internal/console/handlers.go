package console

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/cases"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/store"
)

// maxBody bounds request bodies (a directory CSV included).
const maxBody = 4 << 20

var (
	caseStaff  = []Role{RoleCoordinator, RoleOperator}
	dirReaders = []Role{RoleCoordinator, RoleOperator, RolePartner}
	courseRead = []Role{RoleCoordinator, RoleSchool}
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
	m.HandleFunc("GET "+p+"/cases/{id}/person-export.json", c.auth([]Role{RoleCoordinator}, c.personExport))

	m.HandleFunc("GET "+p+"/directory", c.auth(dirReaders, c.dirList))
	m.HandleFunc("GET "+p+"/directory/export.csv", c.auth(caseStaff, c.dirExport))
	m.HandleFunc("GET "+p+"/directory/edit", c.auth(caseStaff, c.dirEdit))
	m.HandleFunc("POST "+p+"/directory/save", c.auth(caseStaff, c.dirSave))
	m.HandleFunc("POST "+p+"/directory/retire", c.auth(caseStaff, c.dirRetire))
	m.HandleFunc("POST "+p+"/directory/import", c.auth(caseStaff, c.dirImport))

	m.HandleFunc("GET "+p+"/courses", c.auth(courseRead, c.courseList))
	m.HandleFunc("GET "+p+"/courses/{id}", c.auth(courseRead, c.coursePage))
	m.HandleFunc("GET "+p+"/courses/{id}/enrolments.csv", c.auth(courseRead, c.courseCSV))
	m.HandleFunc("GET "+p+"/courses/{id}/enrolments.xlsx", c.auth(courseRead, c.courseXLSX))

	m.HandleFunc("GET "+p+"/notes", c.auth([]Role{RoleCoordinator, RoleOperator, RolePartner}, c.notesPage))
	m.HandleFunc("POST "+p+"/notes", c.auth([]Role{RolePartner, RoleCoordinator}, c.noteSend))

	m.HandleFunc("GET "+p+"/audit", c.auth([]Role{RoleCoordinator}, c.auditPage))
	if c.cfg.Announcements != nil {
		ann := http.StripPrefix(p+"/announce", c.cfg.Announcements)
		serve := func(w http.ResponseWriter, r *http.Request, q *req) {
			ctx := context.WithValue(r.Context(), currentKey{}, current{user: q.User, csrf: q.Sess.CSRF, lang: q.Lang})
			ann.ServeHTTP(w, r.WithContext(ctx))
		}
		m.HandleFunc(p+"/announce/", c.auth([]Role{RoleCoordinator, RoleSchool}, serve))
	}
	if c.cfg.Observatory != nil {
		obs := http.StripPrefix(p+"/observatory", c.cfg.Observatory)
		m.HandleFunc("GET "+p+"/observatory/", c.auth([]Role{RoleCoordinator}, func(w http.ResponseWriter, r *http.Request, _ *req) { obs.ServeHTTP(w, r) }))
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

// ---- login ----

func (c *Console) loginForm(w http.ResponseWriter, r *http.Request) {
	q := &req{Lang: c.lang(w, r)}
	c.renderLogin(w, r, q, http.StatusOK, "")
}

func (c *Console) renderLogin(w http.ResponseWriter, r *http.Request, q *req, status int, errID string) {
	tok := randomToken(24)
	c.setCookie(w, r, loginCookie, tok, 3600)
	data := map[string]any{"LoginCSRF": tok, "Next": safeNext(c.cfg.Prefix, r.FormValue("next"))}
	if errID != "" {
		data["Error"] = c.cfg.Texts.Text(q.Lang, errID, nil)
	}
	c.render(w, r, q, status, "login", data)
}

// safeNext keeps a redirect inside the console.
func safeNext(prefix, next string) string {
	if strings.HasPrefix(next, prefix+"/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, `\`) {
		return next
	}
	return prefix + "/"
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	q := &req{Lang: c.lang(w, r)}
	ck, err := r.Cookie(loginCookie)
	if err != nil || ck.Value == "" || subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(ck.Value)) != 1 {
		c.fail(w, r, q, http.StatusForbidden)
		return
	}
	name := strings.ToLower(strings.TrimSpace(r.PostFormValue("name")))
	password := r.PostFormValue("password")
	now := c.cfg.Now()
	// Every attempt first claims a slot of its account's (and address's)
	// window: attempts posted at the same moment cannot all be checked.
	keys, limits := c.loginKeys(r, name)
	slots := make([]int, len(keys))
	release := func() {
		for i, k := range keys {
			c.throttle.release(r.Context(), k, slots[i], now)
		}
	}
	for i, k := range keys {
		slot, err := c.throttle.claim(r.Context(), k, limits[i], now)
		if err != nil {
			release()
			c.internal(w, r, q, err)
			return
		}
		if slot == 0 {
			release()
			w.Header().Set("Retry-After", strconv.Itoa(int(c.cfg.LoginWindow.Seconds())))
			c.renderLogin(w, r, q, http.StatusTooManyRequests, "console.error.too_many")
			return
		}
		slots[i] = slot
	}
	u, err := c.cfg.Accounts.Authenticate(r.Context(), name, password)
	if err != nil {
		if !errors.Is(err, ErrBadCredentials) {
			release()
			c.internal(w, r, q, err)
			return
		}
		_ = c.cfg.Audit.Record(r.Context(), AuditEntry{At: now, Actor: name, Action: ActionLoginFailed, Addr: c.clientAddr(r)})
		c.renderLogin(w, r, q, http.StatusUnauthorized, "console.login.wrong")
		return
	}
	release() // a successful login does not count against anyone
	if old, s := c.session(r); s != nil {
		c.endSession(r.Context(), old)
	}
	tok, err := c.newSession(r.Context(), u.Name)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	c.setCookie(w, r, sessionCookie, tok, 0)
	c.setCookie(w, r, loginCookie, "", -1)
	_ = c.cfg.Audit.Record(r.Context(), AuditEntry{At: now, Actor: u.Name, Role: u.Role, Action: ActionLogin, Addr: c.clientAddr(r)})
	http.Redirect(w, r, safeNext(c.cfg.Prefix, r.PostFormValue("next")), http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, q *req) {
	c.endSession(r.Context(), q.Token)
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, c.cfg.Prefix+"/login", http.StatusSeeOther)
}

func (c *Console) home(w http.ResponseWriter, r *http.Request, q *req) {
	dest := "/cases"
	switch q.User.Role {
	case RoleSchool:
		dest = "/courses"
	case RolePartner:
		dest = "/directory"
	}
	http.Redirect(w, r, c.cfg.Prefix+dest, http.StatusSeeOther)
}

// ---- cases ----

func (c *Console) caseList(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Cases == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	v := r.URL.Query()
	f := cases.Filter{Lang: v.Get("lang_case"), Topic: v.Get("topic"), HelpPoint: v.Get("help_point")}
	status := v.Get("status")
	if status != "" && status != "all" && status != "open" {
		if !cases.Status(status).Valid() {
			status = ""
		} else {
			f.Status = cases.Status(status)
		}
	}
	switch v.Get("urgent") {
	case "yes":
		t := true
		f.Urgent = &t
	case "no":
		t := false
		f.Urgent = &t
	}
	list, err := c.cfg.Cases.List(r.Context(), f)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	if status == "" || status == "open" {
		list = slices.DeleteFunc(list, func(k cases.Case) bool { return !k.Status.IsOpen() })
	}
	statuses := []string{"open", "all"}
	for _, s := range []cases.Status{cases.StatusNew, cases.StatusTaken, cases.StatusWaiting, cases.StatusReferred, cases.StatusClosed} {
		statuses = append(statuses, string(s))
	}
	c.render(w, r, q, http.StatusOK, "cases", map[string]any{
		"Cases": list, "Status": status, "Statuses": statuses,
		"LangCase": f.Lang, "Topic": f.Topic, "HelpPoint": f.HelpPoint, "Urgent": v.Get("urgent"),
	})
}

func (c *Console) getCase(w http.ResponseWriter, r *http.Request, q *req) (cases.Case, bool) {
	if c.cfg.Cases == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return cases.Case{}, false
	}
	k, err := c.cfg.Cases.Get(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		c.fail(w, r, q, http.StatusNotFound)
		return k, false
	}
	if err != nil {
		c.internal(w, r, q, err)
		return k, false
	}
	return k, true
}

func (c *Console) casePage(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseView, Case: k.ID}); err != nil {
		c.internal(w, r, q, err) // no audit, no personal data
		return
	}
	msgs, err := c.cfg.Cases.Messages(r.Context(), k.ID)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	var services []directory.Service
	if c.cfg.Directory != nil {
		if services, err = c.cfg.Directory.List(r.Context(), directory.Filter{}); err != nil {
			c.internal(w, r, q, err)
			return
		}
	}
	c.render(w, r, q, http.StatusOK, "case", map[string]any{
		"Case": k, "Messages": msgs, "Services": services, "Open": k.Status.IsOpen() && !k.IsErased(), "PersonExport": c.cfg.PersonExport != nil,
		"Flash": flash(q, r.URL.Query().Get("done"), c.cfg.Texts),
	})
}

func flash(q *req, done string, t Texts) string {
	switch done {
	case "reply", "note", "take", "close", "refer", "saved", "retired":
		return t.Text(q.Lang, "console.done."+done, nil)
	}
	return ""
}

func (c *Console) backToCase(w http.ResponseWriter, r *http.Request, id, done string) {
	http.Redirect(w, r, c.cfg.Prefix+"/cases/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
}

// caseError shows the case errors operators can act on; the rest is 500.
func (c *Console) caseError(w http.ResponseWriter, r *http.Request, q *req, err error) {
	id := ""
	switch {
	case errors.Is(err, cases.ErrClosed):
		id = "console.case.error_closed"
	case errors.Is(err, cases.ErrErased):
		id = "console.case.error_erased"
	case errors.Is(err, cases.ErrBusy):
		id = "console.case.error_busy"
	case errors.Is(err, store.ErrNotFound):
		c.fail(w, r, q, http.StatusNotFound)
		return
	default:
		var ve *cases.ValidationError
		if !errors.As(err, &ve) {
			c.internal(w, r, q, err)
			return
		}
		id = "console.case.error_invalid"
	}
	c.render(w, r, q, http.StatusConflict, "error", map[string]any{"Message": c.cfg.Texts.Text(q.Lang, id, nil), "Back": c.cfg.Prefix + "/cases/" + r.PathValue("id")})
}

func (c *Console) caseReply(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	// The reply may be as long as one Telegram message; the help point's
	// signature added after it may make two, which the runtime splits.
	if text == "" || chat.TextLength(text) > chat.MaxTextLength {
		c.render(w, r, q, http.StatusBadRequest, "error", map[string]any{"Message": c.cfg.Texts.Text(q.Lang, "console.case.reply_length", nil), "Back": c.cfg.Prefix + "/cases/" + k.ID})
		return
	}
	if c.cfg.Replier == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseReply, Case: k.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	if err := c.cfg.Replier.Reply(r.Context(), k.ID, q.op(), text); err != nil {
		c.caseError(w, r, q, err)
		return
	}
	c.backToCase(w, r, k.ID, "reply")
}

func (c *Console) caseNote(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" {
		c.backToCase(w, r, k.ID, "")
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseNote, Case: k.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	op := q.op()
	m := cases.Message{ID: "console-note-" + randomToken(10), Case: k.ID, Direction: cases.DirNote, Text: text,
		OperatorID: op.ID, OperatorName: op.Name, At: c.cfg.Now()}
	if _, err := c.cfg.Cases.AddMessage(r.Context(), m); err != nil {
		c.caseError(w, r, q, err)
		return
	}
	c.backToCase(w, r, k.ID, "note")
}

func (c *Console) caseTake(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseTake, Case: k.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	winner, won, err := c.cfg.Cases.Take(r.Context(), k.ID, q.op())
	if err != nil {
		c.caseError(w, r, q, err)
		return
	}
	if !won {
		c.render(w, r, q, http.StatusConflict, "error", map[string]any{
			"Message": c.cfg.Texts.Text(q.Lang, "console.case.taken_by", map[string]any{"Operator": winner.Name}),
			"Back":    c.cfg.Prefix + "/cases/" + k.ID})
		return
	}
	c.backToCase(w, r, k.ID, "take")
}

func (c *Console) caseClose(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseClose, Case: k.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	if _, err := c.cfg.Cases.Close(r.Context(), k.ID, strings.TrimSpace(r.PostFormValue("outcome")), q.op()); err != nil {
		c.caseError(w, r, q, err)
		return
	}
	c.backToCase(w, r, k.ID, "close")
}

func (c *Console) caseRefer(w http.ResponseWriter, r *http.Request, q *req) {
	k, ok := c.getCase(w, r, q)
	if !ok {
		return
	}
	svc := r.PostFormValue("service")
	if c.cfg.Directory != nil {
		if _, err := c.cfg.Directory.Get(r.Context(), svc); err != nil {
			c.render(w, r, q, http.StatusBadRequest, "error", map[string]any{"Message": c.cfg.Texts.Text(q.Lang, "console.case.refer_unknown", nil), "Back": c.cfg.Prefix + "/cases/" + k.ID})
			return
		}
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionCaseRefer, Case: k.ID, Target: svc}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	if _, err := c.cfg.Cases.Refer(r.Context(), k.ID, svc, q.op(), strings.TrimSpace(r.PostFormValue("note"))); err != nil {
		c.caseError(w, r, q, err)
		return
	}
	c.backToCase(w, r, k.ID, "refer")
}

// ---- directory ----

func (c *Console) dirList(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	v := r.URL.Query()
	editor := q.User.Role != RolePartner
	f := directory.Filter{Category: directory.Category(v.Get("category")), IncludeRetired: editor && v.Get("retired") == "1"}
	if !f.Category.Valid() {
		f.Category = ""
	}
	list, err := c.cfg.Directory.List(r.Context(), f)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	if s := strings.ToLower(strings.TrimSpace(v.Get("q"))); s != "" {
		list = slices.DeleteFunc(list, func(x directory.Service) bool {
			hay := strings.ToLower(strings.Join([]string{x.ID, x.Name, x.Municipality, x.Address, string(x.Category), x.Descriptions["it"]}, " "))
			return !strings.Contains(hay, s)
		})
	}
	c.render(w, r, q, http.StatusOK, "directory", map[string]any{
		"Services": list, "Q": v.Get("q"), "Category": string(f.Category), "Categories": directory.Categories(),
		"Retired": f.IncludeRetired, "Editor": editor, "Flash": flash(q, v.Get("done"), c.cfg.Texts),
	})
}

func (c *Console) dirExport(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	var buf bytes.Buffer
	if err := c.cfg.Directory.Export(r.Context(), &buf); err != nil {
		c.internal(w, r, q, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="directory.csv"`)
	_, _ = w.Write(buf.Bytes())
}

// serviceForm is the edit form's content.
type serviceForm struct {
	New                                             bool
	ID, Name, Category, ProviderType                string
	Municipality, Address, Lat, Lon, Phone, Website string
	Hours, Languages, WhoCanUse, DescIT, DescEN     string
	Sample, Retired                                 bool
}

func formOf(s directory.Service) serviceForm {
	f := serviceForm{ID: s.ID, Name: s.Name, Category: string(s.Category), ProviderType: string(s.ProviderType),
		Municipality: s.Municipality, Address: s.Address, Phone: s.Phone, Website: s.Website, Hours: s.Hours,
		Languages: strings.Join(s.Languages, ","), WhoCanUse: s.WhoCanUse, DescIT: s.Descriptions["it"], DescEN: s.Descriptions["en"],
		Sample: s.Sample, Retired: s.Retired}
	if s.Latitude != 0 || s.Longitude != 0 {
		f.Lat, f.Lon = strconv.FormatFloat(s.Latitude, 'f', -1, 64), strconv.FormatFloat(s.Longitude, 'f', -1, 64)
	}
	return f
}

func (c *Console) renderEdit(w http.ResponseWriter, r *http.Request, q *req, status int, f serviceForm, problems []string) {
	c.render(w, r, q, status, "service", map[string]any{
		"F": f, "Errors": problems, "Categories": directory.Categories(),
		"Providers": []directory.ProviderType{directory.ProviderPublic, directory.ProviderPrivate, directory.ProviderThirdSector},
	})
}

func (c *Console) dirEdit(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	id := r.URL.Query().Get("id")
	if id == "" {
		c.renderEdit(w, r, q, http.StatusOK, serviceForm{New: true}, nil)
		return
	}
	s, err := c.cfg.Directory.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	c.renderEdit(w, r, q, http.StatusOK, formOf(s), nil)
}

func (c *Console) dirSave(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := serviceForm{New: v("new") == "1", ID: v("id"), Name: v("name"), Category: v("category"), ProviderType: v("provider_type"),
		Municipality: v("municipality"), Address: v("address"), Lat: v("lat"), Lon: v("lon"), Phone: v("phone"), Website: v("website"),
		Hours: v("hours"), Languages: v("languages"), WhoCanUse: v("who_can_use"), DescIT: v("description_it"), DescEN: v("description_en"),
		Sample: v("sample") == "1", Retired: v("retired") == "1"}
	s := directory.Service{ID: f.ID, Name: f.Name, Category: directory.Category(f.Category), ProviderType: directory.ProviderType(f.ProviderType),
		Municipality: f.Municipality, Address: f.Address, Phone: f.Phone, Website: f.Website, Hours: f.Hours, WhoCanUse: f.WhoCanUse,
		Sample: f.Sample, Retired: f.Retired, Descriptions: map[string]string{}}
	var problems []string
	existing, err := c.cfg.Directory.Get(r.Context(), f.ID)
	switch {
	case err == nil && f.New:
		problems = append(problems, c.cfg.Texts.Text(q.Lang, "console.service.id_taken", nil))
	case err == nil:
		for l, d := range existing.Descriptions { // keep the languages the form does not show
			s.Descriptions[l] = d
		}
	case !errors.Is(err, store.ErrNotFound):
		c.internal(w, r, q, err)
		return
	}
	s.Descriptions["it"] = f.DescIT
	if f.DescEN != "" {
		s.Descriptions["en"] = f.DescEN
	} else {
		delete(s.Descriptions, "en")
	}
	for l := range strings.SplitSeq(f.Languages, ",") {
		if l = strings.TrimSpace(l); l != "" {
			s.Languages = append(s.Languages, l)
		}
	}
	if f.Lat != "" || f.Lon != "" {
		lat, err1 := strconv.ParseFloat(f.Lat, 64)
		lon, err2 := strconv.ParseFloat(f.Lon, 64)
		if err1 != nil || err2 != nil {
			problems = append(problems, c.cfg.Texts.Text(q.Lang, "console.service.bad_coordinates", nil))
		}
		s.Latitude, s.Longitude = lat, lon
	}
	if len(problems) == 0 {
		if _, err := c.cfg.Directory.Upsert(r.Context(), []directory.Service{s}); err != nil {
			var ve *directory.ValidationError
			if !errors.As(err, &ve) {
				c.internal(w, r, q, err)
				return
			}
			problems = append(problems, ve.Problems...)
		}
	}
	if len(problems) > 0 {
		c.renderEdit(w, r, q, http.StatusUnprocessableEntity, f, problems)
		return
	}
	_ = c.audit(r.Context(), r, q, AuditEntry{Action: ActionServiceSave, Target: s.ID})
	http.Redirect(w, r, c.cfg.Prefix+"/directory?done=saved", http.StatusSeeOther)
}

func (c *Console) dirRetire(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	id := r.PostFormValue("id")
	if err := c.cfg.Directory.Retire(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			c.fail(w, r, q, http.StatusNotFound)
			return
		}
		c.internal(w, r, q, err)
		return
	}
	_ = c.audit(r.Context(), r, q, AuditEntry{Action: ActionServiceRetire, Target: id})
	http.Redirect(w, r, c.cfg.Prefix+"/directory?done=retired", http.StatusSeeOther)
}

func (c *Console) dirImport(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Directory == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		c.render(w, r, q, http.StatusBadRequest, "import", map[string]any{"Errors": []string{c.cfg.Texts.Text(q.Lang, "console.import.no_file", nil)}})
		return
	}
	defer file.Close()
	name := hdr.Filename
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	res, err := c.cfg.Directory.Import(r.Context(), name, file)
	if err != nil {
		var fe directory.FileErrors
		if !errors.As(err, &fe) {
			c.internal(w, r, q, err)
			return
		}
		var problems []string
		for _, e := range fe {
			problems = append(problems, e.Error())
		}
		c.render(w, r, q, http.StatusUnprocessableEntity, "import", map[string]any{"Errors": problems})
		return
	}
	_ = c.audit(r.Context(), r, q, AuditEntry{Action: ActionDirectoryCSV, Target: name})
	c.render(w, r, q, http.StatusOK, "import", map[string]any{
		"Result": c.cfg.Texts.Text(q.Lang, "console.import.done", map[string]any{"New": res.New, "Updated": res.Updated, "Unchanged": res.Unchanged}),
	})
}

// ---- courses ----

type courseRow struct {
	Course courses.Course
	Counts courses.Counts
}

func (c *Console) courseList(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Courses == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	var list []courses.Course
	var err error
	if q.User.Role == RoleSchool {
		list, err = c.cfg.Courses.ListBySite(r.Context(), q.User.Site)
	} else {
		list, err = c.cfg.Courses.List(r.Context())
	}
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	rows := make([]courseRow, 0, len(list))
	for _, co := range list {
		n, err := c.cfg.Courses.Counts(r.Context(), co.ID)
		if err != nil {
			c.internal(w, r, q, err)
			return
		}
		rows = append(rows, courseRow{co, n})
	}
	c.render(w, r, q, http.StatusOK, "courses", map[string]any{"Rows": rows})
}

// course returns the course if this account may see it: a school only its
// own site's (another site's is "not found", so IDs do not leak).
func (c *Console) course(w http.ResponseWriter, r *http.Request, q *req) (courses.Course, bool) {
	if c.cfg.Courses == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return courses.Course{}, false
	}
	co, err := c.cfg.Courses.Get(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && q.User.Role == RoleSchool && co.Site != q.User.Site) {
		c.fail(w, r, q, http.StatusNotFound)
		return co, false
	}
	if err != nil {
		c.internal(w, r, q, err)
		return co, false
	}
	return co, true
}

func (c *Console) coursePage(w http.ResponseWriter, r *http.Request, q *req) {
	co, ok := c.course(w, r, q)
	if !ok {
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionEnrolmentsView, Course: co.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	n, err := c.cfg.Courses.Counts(r.Context(), co.ID)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	es, err := c.cfg.Courses.Enrolments(r.Context(), co.ID)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	c.render(w, r, q, http.StatusOK, "course", map[string]any{"Course": co, "Counts": n, "Enrolments": es, "Weekdays": courses.FormatWeekdays(co.Weekdays)})
}

func (c *Console) courseCSV(w http.ResponseWriter, r *http.Request, q *req) {
	co, ok := c.course(w, r, q)
	if !ok {
		return
	}
	if err := c.audit(r.Context(), r, q, AuditEntry{Action: ActionEnrolmentsCSV, Course: co.ID}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	es, err := c.cfg.Courses.Enrolments(r.Context(), co.ID)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	var buf bytes.Buffer
	if err := writeEnrolmentsCSV(&buf, co, es); err != nil {
		c.internal(w, r, q, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="enrolments-%s.csv"`, co.ID))
	_, _ = w.Write(buf.Bytes())
}

// ---- notes and audit ----

func (c *Console) notesPage(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Notes == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	data := map[string]any{"Flash": ""}
	if r.URL.Query().Get("done") == "sent" {
		data["Flash"] = c.cfg.Texts.Text(q.Lang, "console.notes.sent", nil)
	}
	if q.User.Role != RolePartner {
		if err := c.audit(r.Context(), r, q, AuditEntry{Action: "notes.view"}); err != nil {
			c.internal(w, r, q, err)
			return
		}
		notes, err := c.cfg.Notes.Recent(r.Context(), 200)
		if err != nil {
			c.internal(w, r, q, err)
			return
		}
		data["Notes"] = notes
	}
	if q.User.Role != RoleOperator {
		data["CanSend"] = true
		if c.cfg.Directory != nil {
			hp, err := c.cfg.Directory.List(r.Context(), directory.Filter{})
			if err != nil {
				c.internal(w, r, q, err)
				return
			}
			data["HelpPoints"] = hp
		}
	}
	c.render(w, r, q, http.StatusOK, "notes", data)
}

func (c *Console) noteSend(w http.ResponseWriter, r *http.Request, q *req) {
	if c.cfg.Notes == nil {
		c.fail(w, r, q, http.StatusNotFound)
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	hp := strings.TrimSpace(r.PostFormValue("help_point"))
	if text == "" || len(text) > cases.MaxTextLength || hp == "" || len(hp) > directory.MaxIDLength {
		c.render(w, r, q, http.StatusBadRequest, "error", map[string]any{"Message": c.cfg.Texts.Text(q.Lang, "console.notes.invalid", nil), "Back": c.cfg.Prefix + "/notes"})
		return
	}
	if err := c.cfg.Notes.Add(r.Context(), Note{At: c.cfg.Now(), From: q.User.Name, HelpPoint: hp, Text: text}); err != nil {
		c.internal(w, r, q, err)
		return
	}
	_ = c.audit(r.Context(), r, q, AuditEntry{Action: ActionPartnerNote, Target: hp})
	http.Redirect(w, r, c.cfg.Prefix+"/notes?done=sent", http.StatusSeeOther)
}

func (c *Console) auditPage(w http.ResponseWriter, r *http.Request, q *req) {
	entries, err := c.cfg.Audit.Recent(r.Context(), 500)
	if err != nil {
		c.internal(w, r, q, err)
		return
	}
	c.render(w, r, q, http.StatusOK, "audit", map[string]any{"Entries": entries})
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(courses.Location).Format("02/01/2006 15:04")
}
