package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

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
	keys := []string{"acct:" + name, "addr:" + c.clientAddr(r)}
	if c.limiter.blocked(now, keys...) {
		w.Header().Set("Retry-After", strconv.Itoa(int(c.cfg.LoginWindow.Seconds())))
		c.renderLogin(w, r, q, http.StatusTooManyRequests, "console.error.too_many")
		return
	}
	u, err := c.cfg.Accounts.Authenticate(r.Context(), name, password)
	if err != nil {
		if !errors.Is(err, ErrBadCredentials) {
			c.internal(w, r, q, err)
			return
		}
		c.limiter.fail(now, keys...)
		_ = c.cfg.Audit.Record(r.Context(), AuditEntry{At: now, Actor: name, Action: ActionLoginFailed, Addr: c.clientAddr(r)})
		c.renderLogin(w, r, q, http.StatusUnauthorized, "console.login.wrong")
		return
	}
	if old, s := c.session(r); s != nil {
		c.endSession(old)
	}
	tok := c.newSession(u.Name)
	c.setCookie(w, r, sessionCookie, tok, 0)
	c.setCookie(w, r, loginCookie, "", -1)
	_ = c.cfg.Audit.Record(r.Context(), AuditEntry{At: now, Actor: u.Name, Role: u.Role, Action: ActionLogin, Addr: c.clientAddr(r)})
	http.Redirect(w, r, safeNext(c.cfg.Prefix, r.PostFormValue("next")), http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, q *req) {
	c.endSession(q.Token)
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, c.cfg.Prefix+"/login", http.StatusSeeOther)
}
