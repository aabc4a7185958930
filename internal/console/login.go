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
