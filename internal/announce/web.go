package announce

import (
	"crypto/subtle"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
)

// Handler is the console's announcement pages: a form to compose, a
// preview that shows the audience size before anything is sent, the send
// (a second step, with the caller's CSRF token), and the reports. Mount it
// under a prefix with http.StripPrefix, behind the console's
// authentication:
//
//	GET  /            the form and the user's announcements
//	POST /preview     the audience size and the text, with a confirm button
//	POST /send        queues it, then redirects to its report
//	GET  /report/{id} the delivery report (a school sees its own only)
//
// Links are relative, so the prefix does not matter.
type Handler struct {
	Service *Service
	// Who returns the current user's role (RoleSchool or RoleCoordinator),
	// site (a school's) and name; ok false answers 403.
	Who func(r *http.Request) (role, site, name string, ok bool)
	// CSRF returns the token the user's forms must carry; POSTs without it
	// are refused.
	CSRF func(r *http.Request) string
	// Languages offered for translations (besides Italian).
	Languages []string
	// Texts are the pages' texts (locales/console, ids "announce.web.*");
	// nil shows the ids. Lang picks the page language (default Italian).
	Texts Texts
	Lang  func(r *http.Request) string
	Log   *slog.Logger
}

// DefaultLanguages are the translations the form offers when
// Handler.Languages is empty (the bot's languages).
var DefaultLanguages = []string{"en", "fr", "es", "ar", "uk", "ru", "ro", "sq", "bn", "pa", "ur", "zh", "fil", "fa", "ps"}

func (h *Handler) langs() []string {
	if len(h.Languages) > 0 {
		return h.Languages
	}
	return DefaultLanguages
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	role, site, name, ok := h.Who(r)
	if !ok || (role != RoleSchool && role != RoleCoordinator) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	u := user{Role: role, Site: site, Name: name}
	path := "/" + strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case path == "/" && r.Method == http.MethodGet:
		h.index(w, r, u, nil, "")
	case path == "/preview" && r.Method == http.MethodPost:
		h.preview(w, r, u)
	case path == "/send" && r.Method == http.MethodPost:
		h.send(w, r, u)
	case strings.HasPrefix(path, "/report/") && r.Method == http.MethodGet:
		h.report(w, r, u, strings.TrimPrefix(path, "/report/"))
	default:
		http.NotFound(w, r)
	}
}

type user struct{ Role, Site, Name string }

func (h *Handler) checkCSRF(r *http.Request) bool {
	want := h.CSRF(r)
	got := r.PostFormValue("csrf")
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// fromForm reads an announcement from the form; the author, role and site
// always come from Who, never from the form.
func (h *Handler) fromForm(r *http.Request, u user) Announcement {
	a := Announcement{
		ID: r.PostFormValue("id"), Author: u.Name, Role: u.Role, Site: u.Site,
		Audience: Audience{
			Kind:   r.PostFormValue("kind"),
			Course: strings.TrimSpace(r.PostFormValue("course")),
			Site:   strings.TrimSpace(r.PostFormValue("site")),
		},
		Text:     map[string]string{},
		Template: r.PostFormValue("template"),
	}
	if u.Role == RoleCoordinator {
		a.Audience.Lang = strings.TrimSpace(r.PostFormValue("lang"))
		a.Audience.HelpPoint = strings.TrimSpace(r.PostFormValue("help_point"))
		a.Audience.Topic = strings.TrimSpace(r.PostFormValue("topic"))
	}
	if a.ID == "" {
		a.ID = NewID()
	}
	for _, l := range append([]string{Italian}, h.langs()...) {
		if t := strings.TrimSpace(r.PostFormValue("text_" + l)); t != "" {
			a.Text[l] = t
		}
	}
	if a.Template != "" {
		a.Params = map[string]string{}
		for _, k := range TemplateParams {
			if v := strings.TrimSpace(r.PostFormValue("p_" + k)); v != "" {
				a.Params[k] = v
			}
		}
	}
	return a
}

// Word shows a code as words in the page's language: the text
// announce.web.<kind>.<code> when there is one, else the code.
func (p page) Word(kind, code string) string {
	if code == "" {
		return ""
	}
	if w := p.tr("announce.web." + kind + "." + code); w != "" && !strings.HasPrefix(w, "[") && !strings.HasPrefix(w, "announce.web.") {
		return w
	}
	return code
}

// When is a time as the help points read it: Europe/Rome.
func (p page) When(t time.Time) string { return t.In(courses.Location).Format("02/01/2006 15:04") }

type page struct {
	// Courses are the courses the user may address (a school: its own);
	// Sites are their sites.
	Courses []courses.Course
	Sites   []string
	// tr localizes a console text (locales/console); Lang is its language.
	tr        func(id string) string
	Lang      string
	User      user
	CSRF      string
	Langs     []string
	Templates []string
	Params    []string
	A         Announcement
	List      []Announcement
	Size      int
	Skipped   int
	Preview   string
	Error     string
	Report    Report
}

func (h *Handler) index(w http.ResponseWriter, r *http.Request, u user, a *Announcement, problem string) {
	list, err := h.Service.List(r.Context(), u.Role, u.Site)
	if err != nil {
		h.fail(w, err)
		return
	}
	p := h.page(r, u)
	p.List, p.Error = list, problem
	if a != nil {
		p.A = *a
	}
	h.render(w, http.StatusOK, "index", p)
}

// T localizes a text id for the page's language.
func (p page) T(id string) string { return p.tr(id) }

func (h *Handler) page(r *http.Request, u user) page {
	lang := "it"
	if h.Lang != nil {
		lang = h.Lang(r)
	}
	t := func(id string) string { return id }
	if h.Texts != nil {
		t = func(id string) string { return h.Texts.Text(lang, id, nil) }
	}
	p := page{tr: t, Lang: lang, User: u, CSRF: h.CSRF(r), Langs: h.langs(), Templates: Templates, Params: TemplateParams,
		A: Announcement{Text: map[string]string{}, Params: map[string]string{}}}
	if h.Service != nil && h.Service.Courses != nil { // the course is a choice, not typed
		var list []courses.Course
		var err error
		if u.Role == RoleSchool {
			list, err = h.Service.Courses.ListBySite(r.Context(), u.Site)
		} else {
			list, err = h.Service.Courses.List(r.Context())
		}
		if err == nil {
			p.Courses = list
			for _, c := range list {
				if !slices.Contains(p.Sites, c.Site) {
					p.Sites = append(p.Sites, c.Site)
				}
			}
			slices.Sort(p.Sites)
		}
	}
	return p
}

func (h *Handler) preview(w http.ResponseWriter, r *http.Request, u user) {
	if !h.checkCSRF(r) {
		http.Error(w, "invalid form token, reload the page", http.StatusForbidden)
		return
	}
	a := h.fromForm(r, u)
	if err := h.Service.Validate(r.Context(), &a); err != nil {
		h.index(w, r, u, &a, userError(err))
		return
	}
	rs, skipped, err := h.Service.audience(r.Context(), a)
	if err != nil {
		h.fail(w, err)
		return
	}
	p := h.page(r, u)
	p.A, p.Size, p.Skipped, p.Preview = a, len(rs), skipped, h.Service.TextFor(a, Italian)
	h.render(w, http.StatusOK, "preview", p)
}

func (h *Handler) send(w http.ResponseWriter, r *http.Request, u user) {
	if !h.checkCSRF(r) {
		http.Error(w, "invalid form token, reload the page", http.StatusForbidden)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		http.Error(w, "not confirmed", http.StatusBadRequest)
		return
	}
	a := h.fromForm(r, u)
	if err := h.Service.Validate(r.Context(), &a); err != nil {
		h.index(w, r, u, &a, userError(err))
		return
	}
	if _, err := h.Service.Send(r.Context(), a); err != nil {
		h.fail(w, err) // sending again with the same id is safe
		return
	}
	w.Header().Set("Location", "report/"+a.ID)
	w.WriteHeader(http.StatusSeeOther)
}

func (h *Handler) report(w http.ResponseWriter, r *http.Request, u user, id string) {
	a, err := h.Service.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !CanSee(a, u.Role, u.Site) {
		http.NotFound(w, r) // a school does not learn of others' announcements
		return
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	rep, err := h.Service.Report(r.Context(), id)
	if err != nil {
		h.fail(w, err)
		return
	}
	p := h.page(r, u)
	p.A, p.Report, p.Preview = a, rep, h.Service.TextFor(a, Italian)
	h.render(w, http.StatusOK, "report", p)
}

func userError(err error) string {
	return strings.TrimPrefix(err.Error(), "announce: ")
}

func (h *Handler) fail(w http.ResponseWriter, err error) {
	if h.Log != nil {
		h.Log.Error("announcements page", "error", err)
	}
	http.Error(w, "something went wrong, try again", http.StatusInternalServerError)
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, p); err != nil && h.Log != nil {
		h.Log.Error("rendering the announcements page", "error", err)
	}
}

var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.T "announce.web.title"}}</title></head><body>{{end}}

{{define "fields"}}
<input type="hidden" name="csrf" value="{{.CSRF}}">
<input type="hidden" name="id" value="{{.A.ID}}">
{{end}}

{{define "index"}}{{template "head" .}}
<h1>{{.T "announce.web.title"}}</h1>
{{if .Error}}<p role="alert"><strong>{{.Error}}</strong></p>{{end}}
<form method="post" action="preview">
{{template "fields" .}}
<fieldset><legend>{{.T "announce.web.audience"}}</legend>
<label><input type="radio" name="kind" value="course" {{if eq .A.Audience.Kind "course" ""}}checked{{end}}> {{.T "announce.web.kind_course"}}</label>
<label><input type="radio" name="kind" value="site" {{if eq .A.Audience.Kind "site"}}checked{{end}}> {{.T "announce.web.kind_site"}}</label>
<label><input type="radio" name="kind" value="waiting" {{if eq .A.Audience.Kind "waiting"}}checked{{end}}> {{.T "announce.web.kind_waiting"}}</label>
{{if eq .User.Role "coordinator"}}<label><input type="radio" name="kind" value="news" {{if eq .A.Audience.Kind "news"}}checked{{end}}> {{.T "announce.web.kind_news"}}</label>{{end}}
<p><label>{{.T "announce.web.course"}} {{if .Courses}}<select name="course"><option value="">—</option>{{range .Courses}}<option value="{{.ID}}"{{if eq .ID $.A.Audience.Course}} selected{{end}}>{{.Title}} · {{.Site}} ({{.ID}})</option>{{end}}</select>{{else}}<input name="course" value="{{.A.Audience.Course}}">{{end}}</label></p>
{{if eq .User.Role "coordinator"}}
<p><label>{{.T "announce.web.site"}} {{if .Sites}}<select name="site"><option value="">—</option>{{range .Sites}}<option value="{{.}}"{{if eq . $.A.Audience.Site}} selected{{end}}>{{.}}</option>{{end}}</select>{{else}}<input name="site" value="{{.A.Audience.Site}}">{{end}}</label></p>
<p><label>{{.T "announce.web.lang"}} <select name="lang"><option value="">—</option><option value="it"{{if eq "it" .A.Audience.Lang}} selected{{end}}>{{.Word "lang" "it"}}</option>{{range .Langs}}<option value="{{.}}"{{if eq . $.A.Audience.Lang}} selected{{end}}>{{$.Word "lang" .}}</option>{{end}}</select></label>
<label>{{.T "announce.web.help_point"}} <input name="help_point" value="{{.A.Audience.HelpPoint}}"></label>
<label>{{.T "announce.web.topic"}} <input name="topic" value="{{.A.Audience.Topic}}"></label></p>
{{else}}<p>{{.T "announce.web.site"}}: {{.User.Site}}</p>{{end}}
</fieldset>
<fieldset><legend>{{.T "announce.web.text"}}</legend>
<p><label>{{.T "announce.web.template"}} <select name="template"><option value="">{{.T "announce.web.no_template"}}</option>
{{range .Templates}}<option value="{{.}}" {{if eq . $.A.Template}}selected{{end}}>{{$.Word "template" .}}</option>{{end}}</select></label>
{{range .Params}}<label>{{$.Word "param" .}} <input name="p_{{.}}" value="{{index $.A.Params .}}"></label> {{end}}</p>
<p><label>{{.T "announce.web.italian"}}<br><textarea name="text_it" rows="5" cols="60">{{index .A.Text "it"}}</textarea></label></p>
<details><summary>{{.T "announce.web.translations"}}</summary>
{{range .Langs}}<p><label>{{$.Word "lang" .}}<br><textarea name="text_{{.}}" rows="3" cols="60">{{index $.A.Text .}}</textarea></label></p>{{end}}
</details>
</fieldset>
<p><button>{{.T "announce.web.preview"}}</button></p>
</form>
<h2>{{.T "announce.web.sent_list"}}</h2>
<table><tr><th>{{.T "announce.web.date"}}</th><th>{{.T "announce.web.author"}}</th><th>{{.T "announce.web.audience"}}</th><th>{{.T "announce.web.people"}}</th><th></th></tr>
{{range .List}}<tr><td>{{$.When .Created}}</td><td>{{.Author}}</td><td>{{$.Word "audience" .Audience.Kind}} {{.Audience.Course}}{{.Audience.Site}}{{$.Word "lang" .Audience.Lang}}{{.Audience.HelpPoint}}</td><td>{{.Recipients}}</td><td><a href="report/{{.ID}}">{{$.T "announce.web.report_link"}}</a></td></tr>{{end}}
</table></body></html>{{end}}

{{define "hidden"}}
<input type="hidden" name="kind" value="{{.A.Audience.Kind}}">
<input type="hidden" name="course" value="{{.A.Audience.Course}}">
<input type="hidden" name="site" value="{{.A.Audience.Site}}">
<input type="hidden" name="lang" value="{{.A.Audience.Lang}}">
<input type="hidden" name="help_point" value="{{.A.Audience.HelpPoint}}">
<input type="hidden" name="topic" value="{{.A.Audience.Topic}}">
<input type="hidden" name="template" value="{{.A.Template}}">
{{range $k, $v := .A.Params}}<input type="hidden" name="p_{{$k}}" value="{{$v}}">{{end}}
{{range $k, $v := .A.Text}}<input type="hidden" name="text_{{$k}}" value="{{$v}}">{{end}}
{{end}}

{{define "preview"}}{{template "head" .}}
<h1>{{.T "announce.web.preview"}}</h1>
<p>{{.T "announce.web.size_before"}} <strong id="size">{{.Size}}</strong> {{.T "announce.web.size_after"}}{{if .Skipped}} ({{.Skipped}} {{.T "announce.web.skipped"}}){{end}}.</p>
<blockquote><pre>{{.Preview}}</pre></blockquote>
{{if .A.Template}}<p>{{.T "announce.web.each_language"}}</p>{{else}}<p>{{.T "announce.web.translations"}}: {{range $k, $v := .A.Text}}{{$.Word "lang" $k}} {{end}}. {{.T "announce.web.other_languages"}}</p>{{end}}
<form method="post" action="send">
{{template "fields" .}}{{template "hidden" .}}
<input type="hidden" name="confirm" value="yes">
<button>{{.T "announce.web.send"}} ({{.Size}})</button>
</form>
<p><a href="./">{{.T "announce.web.cancel"}}</a></p>
</body></html>{{end}}

{{define "report"}}{{template "head" .}}
<h1>{{.T "announce.web.report"}}</h1>
<p>{{.When .A.Created}}, {{.A.Author}}: {{.Word "audience" .A.Audience.Kind}} {{.A.Audience.Course}}{{.A.Audience.Site}}</p>
<blockquote><pre>{{.Preview}}</pre></blockquote>
<table>
<tr><th>{{.T "announce.web.total"}}</th><td id="total">{{.Report.Total}}</td></tr>
<tr><th>{{.T "announce.web.sent"}}</th><td id="sent">{{.Report.Sent}}</td></tr>
<tr><th>{{.T "announce.web.pending"}}</th><td id="pending">{{.Report.Pending}}</td></tr>
<tr><th>{{.T "announce.web.blocked"}}</th><td id="blocked">{{.Report.Blocked}}</td></tr>
<tr><th>{{.T "announce.web.failed"}}</th><td id="failed">{{.Report.Failed}}</td></tr>
<tr><th>{{.T "announce.web.excluded"}}</th><td id="skipped">{{.Report.Skipped}}</td></tr>
</table>
{{if .Report.Errors}}<h2>{{.T "announce.web.errors"}}</h2><ul>{{range $k, $v := .Report.Errors}}<li>{{$k}}: {{$v}}</li>{{end}}</ul>{{end}}
<p><a href="../">{{.T "announce.web.back"}}</a></p>
</body></html>{{end}}
`))
