package console

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/csvrows"
)

// view is what every page's template gets.
type view struct {
	c      *Console
	Lang   string
	User   User
	CSRF   string
	Prefix string
	Page   string
	Data   map[string]any
}

// T returns text id in the page's language; args are key, value pairs.
func (v *view) T(id string, args ...any) string {
	var data map[string]any
	if len(args) > 1 {
		data = map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			k, _ := args[i].(string)
			data[k] = args[i+1]
		}
	}
	return v.c.cfg.Texts.Text(v.Lang, id, data)
}

// Can reports whether the user has one of the roles named.
func (v *view) Can(roles ...string) bool {
	for _, r := range roles {
		if string(v.User.Role) == r {
			return true
		}
	}
	return false
}

// LangName names a language code in the page's language ("arabo" for
// "ar" on an Italian page); an unknown code is shown as it is.
func (v *view) LangName(code string) string {
	if code == "" {
		return ""
	}
	if name := v.T("console.langname." + code); !strings.HasPrefix(name, "[") {
		return name
	}
	return code
}

// Word shows a code in the page's language: the text console.<kind>.<code>
// when there is one (outcome "answered" → "risposta data"), else the code
// as it is (an operator's own words, an unknown topic).
func (v *view) Word(kind string, code any) string {
	s := fmt.Sprint(code)
	if s == "" {
		return ""
	}
	if w := v.T("console." + kind + "." + s); !strings.HasPrefix(w, "[") {
		return w
	}
	return s
}

// Mounted says which optional sections the console serves, for the menu.
func (v *view) Mounted() struct{ Announcements, Observatory bool } {
	return struct{ Announcements, Observatory bool }{v.c.cfg.Announcements != nil, v.c.cfg.Observatory != nil}
}

// Has reports whether list holds s.
func (v *view) Has(list []string, s string) bool { return slices.Contains(list, s) }

var funcs = template.FuncMap{
	"time":  fmtTime,
	"lower": strings.ToLower,
	"inc":   func(i int) int { return i + 1 },
}

var pages = map[string]*template.Template{}

func init() {
	base := template.Must(template.New("layout").Funcs(funcs).Parse(layoutHTML))
	for name, body := range pageHTML {
		pages[name] = template.Must(template.Must(base.Clone()).Parse(body))
	}
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, q *req, status int, page string, data map[string]any) {
	v := &view{c: c, Lang: q.Lang, User: q.User, Prefix: c.cfg.Prefix, Page: page, Data: data}
	if q.Sess != nil {
		v.CSRF = q.Sess.CSRF
	}
	var buf bytes.Buffer
	if err := pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		c.cfg.Log.Error("console: rendering", "page", page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeEnrolmentsCSV writes a course's register: one row per enrolled person.
func writeEnrolmentsCSV(w io.Writer, co courses.Course, es []courses.Enrolment) error {
	cw := csvrows.NewWriter(w)
	_ = cw.Write([]string{"course", "site", "title", "seat", "name", "phone", "language", "enrolled_at"})
	for i, e := range es { // seats numbered 1..n as the register lists them
		_ = cw.Write([]string{co.ID, co.Site, co.Title, strconv.Itoa(i + 1), e.Name, e.Phone, e.Language, e.At.In(courses.Location).Format("2006-01-02 15:04")})
	}
	cw.Flush()
	return cw.Error()
}

const layoutHTML = `<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{if eq .Page "framed"}}{{.Data.Title}}{{else}}{{.T (printf "console.%s.title" .Page)}}{{end}} · {{.T "console.app"}}</title>
<style>
body{font:16px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1d4e89;color:#fff;padding:.5em 1em}
header a,header button{color:#fff;margin-right:.8em;background:none;border:0;font:inherit;text-decoration:underline;cursor:pointer;padding:0}
main{padding:1em;max-width:60em;margin:auto}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em;text-align:left;vertical-align:top}
input,select,textarea,button{font:inherit;max-width:100%}textarea{width:100%}
.msg{padding:.4em;margin:.3em 0;border-radius:4px}.in{background:#fff;border:1px solid #ccc}.out{background:#e3f0ff}.note{background:#fff6d5}.system{color:#666;font-size:.9em}
.mt{margin-top:.3em;padding-top:.3em;border-top:1px dashed #bbb}
.err{color:#a00}.ok{color:#060}.urgent{color:#a00;font-weight:bold}
form.inline{display:inline}
section{border-top:1px solid #ddd;margin-top:1em;padding-top:.5em}svg{max-width:100%;height:auto}
fieldset{border:1px solid #ccc;margin:.5em 0}blockquote{background:#fff;border-left:3px solid #1d4e89;margin:.5em 0;padding:.3em .8em}
nav a[aria-current]{font-weight:bold;text-decoration:none}
</style></head><body>
<header><strong>{{.T "console.app"}}</strong>
{{if .User.Name}}<nav>
{{if .Can "coordinator" "operator"}}<a href="{{.Prefix}}/cases">{{.T "console.nav.cases"}}</a>{{end}}
{{if .Can "coordinator" "operator" "partner"}}<a href="{{.Prefix}}/directory">{{.T "console.nav.directory"}}</a>{{end}}
{{if .Can "coordinator" "school"}}<a href="{{.Prefix}}/courses">{{.T "console.nav.courses"}}</a>{{end}}
{{if .Can "coordinator" "operator" "partner"}}<a href="{{.Prefix}}/notes">{{.T "console.nav.notes"}}</a>{{end}}
{{if and .Mounted.Announcements (.Can "coordinator" "school")}}<a href="{{.Prefix}}/announce/">{{.T "console.nav.announcements"}}</a>{{end}}
{{if and .Mounted.Observatory (.Can "coordinator")}}<a href="{{.Prefix}}/observatory/">{{.T "console.nav.observatory"}}</a>{{end}}
{{if .Can "coordinator"}}<a href="{{.Prefix}}/audit">{{.T "console.nav.audit"}}</a>{{end}}
{{if .Can "coordinator" "operator"}}<a href="{{.Prefix}}/languages">{{.T "console.nav.languages"}}</a>{{end}}
<form class="inline" method="post" action="{{.Prefix}}/logout"><input type="hidden" name="csrf" value="{{.CSRF}}"><button>{{.T "console.nav.logout" "Name" .User.Name}}</button></form>
</nav>{{end}}
</header>
<main>
{{if ne .Page "framed"}}<h1>{{.T (printf "console.%s.title" .Page)}}</h1>{{end}}
{{with .Data.Flash}}<p class="ok">{{.}}</p>{{end}}
{{template "content" .}}
</main></body></html>`

var pageHTML = map[string]string{
	"error": `{{define "content"}}<p class="err">{{.Data.Message}}</p>{{with .Data.Back}}<p><a href="{{.}}">{{$.T "console.back"}}</a></p>{{end}}{{end}}`,

	"framed": `{{define "content"}}{{.Data.Body}}{{end}}`,

	"login": `{{define "content"}}
{{with .Data.Error}}<p class="err">{{.}}</p>{{end}}
<form method="post" action="{{.Prefix}}/login">
<input type="hidden" name="csrf" value="{{.Data.LoginCSRF}}"><input type="hidden" name="next" value="{{.Data.Next}}">
<p><label>{{.T "console.login.name"}}<br><input name="name" autocomplete="username" required autofocus></label></p>
<p><label>{{.T "console.login.password"}}<br><input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button>{{.T "console.login.submit"}}</button></p>
</form>{{end}}`,

	"cases": `{{define "content"}}
<form method="get" action="{{.Prefix}}/cases">
<label>{{.T "console.cases.status"}} <select name="status">{{range .Data.Statuses}}<option value="{{.}}"{{if eq . $.Data.Status}} selected{{end}}>{{$.T (printf "console.status.%s" .)}}</option>{{end}}</select></label>
<label>{{.T "console.cases.language"}} <select name="lang_case"><option value="">{{.T "console.cases.any"}}</option>{{range .Data.Langs}}<option value="{{.}}"{{if eq . $.Data.LangCase}} selected{{end}}>{{$.LangName .}}</option>{{end}}</select></label>
<label>{{.T "console.cases.topic"}} <select name="topic"><option value="">{{.T "console.cases.any"}}</option>{{range .Data.Topics}}<option value="{{.}}"{{if eq . $.Data.Topic}} selected{{end}}>{{$.Word "topic" .}}</option>{{end}}</select></label>
<label>{{.T "console.cases.help_point"}} <select name="help_point"><option value="">{{.T "console.cases.any"}}</option>{{range .Data.HelpPoints}}<option value="{{.}}"{{if eq . $.Data.HelpPoint}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<label>{{.T "console.cases.urgency"}} <select name="urgent"><option value="">{{.T "console.cases.any"}}</option>
<option value="yes"{{if eq .Data.Urgent "yes"}} selected{{end}}>{{.T "console.cases.urgent"}}</option>
<option value="no"{{if eq .Data.Urgent "no"}} selected{{end}}>{{.T "console.cases.not_urgent"}}</option></select></label>
<button>{{.T "console.filter"}}</button></form>
{{if .Data.Cases}}<table><tr><th>{{.T "console.cases.id"}}</th><th>{{.T "console.cases.created"}}</th><th>{{.T "console.cases.topic"}}</th><th>{{.T "console.cases.language"}}</th><th>{{.T "console.cases.help_point"}}</th><th>{{.T "console.cases.status"}}</th><th>{{.T "console.cases.assignee"}}</th></tr>
{{range .Data.Cases}}<tr><td><a href="{{$.Prefix}}/cases/{{.ID}}">{{.ID}}</a>{{if .Urgent}} <span class="urgent">{{$.T "console.cases.urgent"}}</span>{{end}}</td><td>{{time .Created}}</td><td>{{$.Word "topic" .Topic}}</td><td>{{$.LangName .Lang}}</td><td>{{.HelpPoint}}</td><td>{{$.T (printf "console.status.%s" .Status)}}</td><td>{{.Assignee.Name}}</td></tr>
{{end}}</table>{{else}}<p>{{.T "console.cases.none"}}</p>{{end}}{{end}}`,

	"case": `{{define "content"}}{{$k := .Data.Case}}
<p><a href="{{.Prefix}}/cases">{{.T "console.back"}}</a></p>
<h2>{{$k.ID}}{{if $k.Urgent}} <span class="urgent">{{.T "console.cases.urgent"}}</span>{{end}}</h2>
<table>
<tr><th>{{.T "console.case.person"}}</th><td>{{$k.PersonName}}</td></tr>
<tr><th>{{.T "console.cases.language"}}</th><td>{{.LangName $k.Lang}}</td></tr>
<tr><th>{{.T "console.cases.topic"}}</th><td>{{.Word "topic" $k.Topic}}</td></tr>
<tr><th>{{.T "console.cases.help_point"}}</th><td>{{$k.HelpPoint}}</td></tr>
<tr><th>{{.T "console.cases.status"}}</th><td>{{.T (printf "console.status.%s" $k.Status)}}</td></tr>
<tr><th>{{.T "console.cases.assignee"}}</th><td>{{$k.Assignee.Name}}</td></tr>
<tr><th>{{.T "console.cases.created"}}</th><td>{{time $k.Created}}</td></tr>
{{with $k.Summary}}<tr><th>{{$.T "console.case.summary"}}</th><td>{{.}}</td></tr>{{end}}
{{range $q, $a := $k.Answers}}<tr><th>{{$q}}</th><td>{{$a}}</td></tr>{{end}}
{{with $k.Outcome}}<tr><th>{{$.T "console.case.outcome"}}</th><td>{{$.Word "outcome" .}}</td></tr>{{end}}
{{with $k.Feedback}}<tr><th>{{$.T "console.case.feedback"}}</th><td>{{$.T (printf "console.feedback.%s" .)}}</td></tr>{{end}}
{{if .Data.Bridge}}<tr><th>{{.T "console.case.bridge"}}</th><td>{{if $k.BridgeOff}}{{.T "console.case.bridge_is_off"}}{{else}}{{.T "console.case.bridge_is_on" "Lang" (.LangName $k.Lang)}}{{end}}
<form class="inline" method="post" action="{{.Prefix}}/cases/{{$k.ID}}/bridge"><input type="hidden" name="csrf" value="{{.CSRF}}">{{if $k.BridgeOff}}<input type="hidden" name="on" value="1"><button>{{.T "console.case.bridge_switch_on"}}</button>{{else}}<input type="hidden" name="on" value="0"><button>{{.T "console.case.bridge_switch_off"}}</button>{{end}}</form></td></tr>{{end}}
</table>
{{if and .Data.PersonExport (eq .User.Role "coordinator") $k.ChatID}}<p><a href="{{.Prefix}}/cases/{{$k.ID}}/person-export.json">{{.T "console.case.person_export"}}</a></p>{{end}}
{{if $k.Referrals}}<h3>{{.T "console.case.referrals"}}</h3><ul>{{range $k.Referrals}}<li>{{time .At}} {{.ServiceID}} ({{.By.Name}}){{with .Note}}: {{.}}{{end}}</li>{{end}}</ul>{{end}}
<h3>{{.T "console.case.transcript"}}</h3>
{{range .Data.Messages}}<div class="msg {{.Direction}}"><small>{{time .At}} · {{$.T (printf "console.case.dir.%s" .Direction)}}{{with .OperatorName}} · {{.}}{{end}}</small><br>
{{if .FileID}}<em>[{{$.T "console.case.media" "Type" .MediaType}}: <code>{{.FileID}}</code>]</em><br>{{end}}{{.Text}}
{{if .Translation}}<div class="mt"><small>{{if eq (printf "%s" .Direction) "in"}}{{$.T "console.case.translation_in"}}{{else}}{{$.T "console.case.translation_out" "Lang" ($.LangName $k.Lang)}}{{end}}</small><br>{{.Translation}}</div>{{end}}
{{if .TranslationFailed}}<div class="mt"><small>{{$.T "console.case.translation_failed"}}</small></div>{{end}}</div>
{{else}}<p>{{.T "console.case.no_messages"}}</p>{{end}}
{{if .Data.Open}}
<h3>{{.T "console.case.reply"}}</h3>
<form method="post" action="{{.Prefix}}/cases/{{$k.ID}}/reply"><input type="hidden" name="csrf" value="{{.CSRF}}">
<textarea name="text" rows="4" maxlength="4096" required></textarea><br><button>{{.T "console.case.send"}}</button></form>
<h3>{{.T "console.case.note"}}</h3>
<form method="post" action="{{.Prefix}}/cases/{{$k.ID}}/note"><input type="hidden" name="csrf" value="{{.CSRF}}">
<textarea name="text" rows="2" required></textarea><br><button>{{.T "console.case.add_note"}}</button></form>
<h3>{{.T "console.case.actions"}}</h3>
{{if not $k.Assignee.ID}}<form class="inline" method="post" action="{{.Prefix}}/cases/{{$k.ID}}/take"><input type="hidden" name="csrf" value="{{.CSRF}}"><button>{{.T "console.case.take"}}</button></form>{{end}}
{{if .Data.Services}}<form method="post" action="{{.Prefix}}/cases/{{$k.ID}}/refer"><input type="hidden" name="csrf" value="{{.CSRF}}">
<select name="service" required><option value="" selected>{{.T "console.case.refer_choose"}}</option>{{range .Data.Services}}<option value="{{.ID}}">{{.Name}}{{with .Municipality}} ({{.}}){{end}}</option>{{end}}</select>
<input name="note" placeholder="{{.T "console.case.refer_note"}}"><button>{{.T "console.case.refer"}}</button></form>{{end}}
<form method="post" action="{{.Prefix}}/cases/{{$k.ID}}/close"><input type="hidden" name="csrf" value="{{.CSRF}}">
<label>{{.T "console.case.outcome"}} <select name="outcome_code" required><option value="" selected>{{.T "console.case.outcome_choose"}}</option>{{range .Data.Outcomes}}<option value="{{.}}">{{$.Word "outcome" .}}</option>{{end}}<option value="other">{{.Word "outcome" "other"}}</option></select></label>
<input name="outcome" placeholder="{{.T "console.case.outcome_other"}}"><button>{{.T "console.case.close"}}</button></form>
{{end}}{{end}}`,

	"directory": `{{define "content"}}
<form method="get" action="{{.Prefix}}/directory">
<input name="q" value="{{.Data.Q}}" placeholder="{{.T "console.directory.search"}}">
<select name="category"><option value="">{{.T "console.directory.all_categories"}}</option>{{range .Data.Categories}}<option value="{{.}}"{{if eq (printf "%s" .) $.Data.Category}} selected{{end}}>{{$.Word "category" .}}</option>{{end}}</select>
{{if .Data.Editor}}<label><input type="checkbox" name="retired" value="1"{{if .Data.Retired}} checked{{end}}> {{.T "console.directory.show_retired"}}</label>{{end}}
<button>{{.T "console.filter"}}</button></form>
{{if .Data.Editor}}<p><a href="{{.Prefix}}/directory/edit">{{.T "console.directory.new"}}</a> · <a href="{{.Prefix}}/directory/export.csv">{{.T "console.directory.export"}}</a></p>
<form method="post" action="{{.Prefix}}/directory/import" enctype="multipart/form-data"><input type="hidden" name="csrf" value="{{.CSRF}}">
{{.T "console.directory.import"}} <input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required> <button>{{.T "console.directory.import_button"}}</button></form>{{end}}
<table><tr><th>{{.T "console.directory.name"}}</th><th>{{.T "console.directory.category"}}</th><th>{{.T "console.directory.municipality"}}</th><th>{{.T "console.directory.contacts"}}</th>{{if .Data.Editor}}<th></th>{{end}}</tr>
{{range .Data.Services}}<tr><td>{{.Name}}{{if .Retired}} <em>({{$.T "console.directory.retired"}})</em>{{end}}{{if .Sample}} <em>({{$.T "console.directory.sample"}})</em>{{end}}<br><small>{{.ID}}</small></td><td>{{$.Word "category" .Category}}</td><td>{{.Municipality}}<br><small>{{.Address}}</small></td><td>{{.Phone}}<br><small>{{.Hours}}</small></td>
{{if $.Data.Editor}}<td><a href="{{$.Prefix}}/directory/edit?id={{.ID}}">{{$.T "console.directory.edit"}}</a>{{if not .Retired}}
<form class="inline" method="post" action="{{$.Prefix}}/directory/retire"><input type="hidden" name="csrf" value="{{$.CSRF}}"><input type="hidden" name="id" value="{{.ID}}"><button>{{$.T "console.directory.retire"}}</button></form>{{end}}</td>{{end}}</tr>
{{else}}<tr><td colspan="5">{{.T "console.directory.none"}}</td></tr>{{end}}</table>{{end}}`,

	"service": `{{define "content"}}{{$f := .Data.F}}
{{if .Data.Errors}}<p class="err">{{.T "console.service.not_saved"}}</p><ul class="err">{{range .Data.Errors}}<li>{{.}}</li>{{end}}</ul>{{end}}
<form method="post" action="{{.Prefix}}/directory/save"><input type="hidden" name="csrf" value="{{.CSRF}}">
{{if $f.New}}<input type="hidden" name="new" value="1"><p><label>ID<br><input name="id" value="{{$f.ID}}" required maxlength="40"></label></p>
{{else}}<input type="hidden" name="id" value="{{$f.ID}}"><p>ID: <code>{{$f.ID}}</code></p>{{end}}
<p><label>{{.T "console.directory.name"}}<br><input name="name" value="{{$f.Name}}" required></label></p>
<p><label>{{.T "console.directory.category"}}<br><select name="category">{{range .Data.Categories}}<option value="{{.}}"{{if eq (printf "%s" .) $f.Category}} selected{{end}}>{{$.Word "category" .}}</option>{{end}}</select></label></p>
<p><label>{{.T "console.service.provider"}}<br><select name="provider_type">{{range .Data.Providers}}<option value="{{.}}"{{if eq (printf "%s" .) $f.ProviderType}} selected{{end}}>{{$.Word "provider" .}}</option>{{end}}</select></label></p>
<p><label>{{.T "console.directory.municipality"}}<br><input name="municipality" value="{{$f.Municipality}}"></label></p>
<p><label>{{.T "console.service.address"}}<br><input name="address" value="{{$f.Address}}"></label></p>
<p><label>{{.T "console.service.coordinates"}}<br><input name="lat" value="{{$f.Lat}}" size="10"> <input name="lon" value="{{$f.Lon}}" size="10"></label></p>
<p><label>{{.T "console.service.phone"}}<br><input name="phone" value="{{$f.Phone}}"></label></p>
<p><label>{{.T "console.service.website"}}<br><input name="website" value="{{$f.Website}}"></label></p>
<p><label>{{.T "console.service.hours"}}<br><input name="hours" value="{{$f.Hours}}" placeholder="Mo-Fr 09:00-13:00"></label></p>
<p><label>{{.T "console.service.languages"}}<br><input name="languages" value="{{$f.Languages}}" placeholder="it,en,ar"></label></p>
<p><label>{{.T "console.service.who_can_use"}}<br><input name="who_can_use" value="{{$f.WhoCanUse}}"></label></p>
{{range $f.Descriptions}}{{if eq .Lang "it"}}<p><label>{{$.T "console.service.description_it"}}<br><textarea name="description_it" rows="3" lang="it">{{.Text}}</textarea></label></p>
<fieldset><legend>{{$.T "console.course.translations"}}</legend><p><small>{{$.T "console.service.translations_hint"}}</small></p>
{{else}}<p><label>{{$.T "console.service.description_in" "Lang" ($.LangName .Lang)}}<br><textarea name="description_{{.Lang}}" rows="2" lang="{{.Lang}}" dir="auto">{{.Text}}</textarea></label></p>
{{end}}{{end}}</fieldset>
<p><label><input type="checkbox" name="sample" value="1"{{if $f.Sample}} checked{{end}}> {{.T "console.directory.sample"}}</label>
<label><input type="checkbox" name="retired" value="1"{{if $f.Retired}} checked{{end}}> {{.T "console.directory.retired"}}</label></p>
<p><button>{{.T "console.save"}}</button> <a href="{{.Prefix}}/directory">{{.T "console.back"}}</a></p></form>{{end}}`,

	"import": `{{define "content"}}
{{with .Data.Result}}<p class="ok">{{.}}</p>{{end}}
{{if .Data.Errors}}<p class="err">{{.T "console.import.refused"}}</p><ul class="err">{{range .Data.Errors}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
<p><a href="{{with .Data.Back}}{{.}}{{else}}{{$.Prefix}}/directory{{end}}">{{.T "console.back"}}</a></p>{{end}}`,

	"courses": `{{define "content"}}
<p><a href="{{.Prefix}}/courses/edit">{{.T "console.course.new"}}</a></p>
<form method="post" action="{{.Prefix}}/courses/import" enctype="multipart/form-data"><input type="hidden" name="csrf" value="{{.CSRF}}">
{{.T "console.course.import"}} <input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required> <button>{{.T "console.directory.import_button"}}</button></form>
{{if .Data.Rows}}<table><tr><th>{{.T "console.courses.course"}}</th><th>{{.T "console.courses.site"}}</th><th>{{.T "console.courses.dates"}}</th><th>{{.T "console.courses.seats"}}</th><th>{{.T "console.courses.enrolled"}}</th><th>{{.T "console.courses.waiting"}}</th></tr>
{{range .Data.Rows}}<tr><td><a href="{{$.Prefix}}/courses/{{.Course.ID}}">{{.Course.Title}}</a> ({{.Course.Level}}){{if .Course.Retired}} <em>({{$.T "console.course.retired"}})</em>{{end}}</td><td>{{.Course.Site}}</td><td>{{.Course.StartDate}} – {{.Course.EndDate}}</td><td>{{.Counts.Seats}}</td><td>{{.Counts.Enrolled}}</td><td>{{.Counts.Waiting}}</td></tr>{{end}}
</table>{{else}}<p>{{.T "console.courses.none"}}</p>{{end}}{{end}}`,

	"course": `{{define "content"}}{{$c := .Data.Course}}
<p><a href="{{.Prefix}}/courses">{{.T "console.back"}}</a></p>
<h2>{{$c.Title}} ({{$c.Level}}){{if $c.Retired}} <em>({{.T "console.course.retired"}})</em>{{end}}</h2>
<p>{{$c.Site}} · {{$c.Address}}<br>{{.Data.Weekdays}} {{$c.StartTime}}-{{$c.EndTime}} · {{$c.StartDate}} – {{$c.EndDate}}<br>
{{.T "console.courses.counts" "Enrolled" .Data.Counts.Enrolled "Seats" .Data.Counts.Seats "Waiting" .Data.Counts.Waiting}}</p>
<p><a href="{{.Prefix}}/courses/{{$c.ID}}/enrolments.csv">{{.T "console.courses.export"}}</a>{{if not $c.Retired}} · <a href="{{.Prefix}}/courses/edit?id={{$c.ID}}">{{.T "console.course.edit"}}</a>{{end}}</p>
{{if not $c.Retired}}<form method="post" action="{{.Prefix}}/courses/{{$c.ID}}/retire" class="retire"><input type="hidden" name="csrf" value="{{.CSRF}}">
<label><input type="checkbox" name="confirm" value="1" required> {{.T "console.course.retire_confirm" "People" .Data.People}}</label> <button>{{.T "console.course.retire"}}</button></form>{{end}}
<table><tr><th>{{.T "console.courses.seat"}}</th><th>{{.T "console.courses.name"}}</th><th>{{.T "console.courses.phone"}}</th><th>{{.T "console.cases.language"}}</th><th>{{.T "console.courses.enrolled_at"}}</th></tr>
{{range $i, $e := .Data.Enrolments}}<tr><td>{{inc $i}}</td><td>{{.Name}}</td><td>{{.Phone}}</td><td>{{$.LangName .Language}}</td><td>{{time .At}}</td></tr>
{{else}}<tr><td colspan="5">{{.T "console.courses.no_enrolments"}}</td></tr>{{end}}</table>{{end}}`,

	"courseform": `{{define "content"}}{{$f := .Data.F}}
{{if $f.Errors}}<ul class="err">{{range $f.Errors}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Data.Problems}}<p class="err">{{.T "console.course.not_saved"}}</p>{{end}}
<p><small>{{.T "console.course.forms_hint"}}</small></p>
<form method="post" action="{{.Prefix}}/courses/save"><input type="hidden" name="csrf" value="{{.CSRF}}">
{{if $f.New}}<input type="hidden" name="new" value="1"><p><label>{{.T "console.course.field.id"}}<br><input name="id" value="{{$f.ID}}" required maxlength="32"></label></p>
{{else}}<input type="hidden" name="id" value="{{$f.ID}}"><p>ID: <code>{{$f.ID}}</code></p>{{end}}
{{range $f.Fields}}<p><label>{{$.T (printf "console.course.field.%s" .Name)}}<br>
{{if .Long}}<textarea name="{{.Name}}" rows="3">{{.Value}}</textarea>{{else if .Fixed}}<input name="{{.Name}}" value="{{.Value}}" readonly>{{else}}<input name="{{.Name}}" value="{{.Value}}" size="40"{{if eq .Name "level"}} list="levels"{{end}}{{with .Placeholder}} placeholder="{{.}}"{{end}}>{{end}}</label>
{{range .Errors}}<br><span class="err">{{.}}</span>{{end}}</p>
{{end}}
<datalist id="levels">{{range .Data.Levels}}<option value="{{.}}">{{end}}</datalist>
<fieldset><legend>{{.T "console.course.translations"}}</legend>
<p><small>{{.T "console.course.translations_hint"}}</small></p>
{{range $f.Translations}}<p><label>{{if .Long}}{{$.T "console.course.field.notes_in" "Lang" ($.LangName .Lang)}}<br><textarea name="{{.Name}}" rows="2" lang="{{.Lang}}" dir="auto">{{.Value}}</textarea>{{else}}{{$.T "console.course.field.title_in" "Lang" ($.LangName .Lang)}}<br><input name="{{.Name}}" value="{{.Value}}" size="40" lang="{{.Lang}}" dir="auto">{{end}}</label>
{{range .Errors}}<br><span class="err">{{.}}</span>{{end}}</p>
{{end}}</fieldset>
<p><button>{{.T "console.save"}}</button> <a href="{{.Prefix}}/courses{{if not $f.New}}/{{$f.ID}}{{end}}">{{.T "console.back"}}</a></p></form>{{end}}`,

	"notes": `{{define "content"}}
{{if .Data.CanSend}}<form method="post" action="{{.Prefix}}/notes"><input type="hidden" name="csrf" value="{{.CSRF}}">
<p><label>{{.T "console.notes.help_point"}}<br>{{if .Data.HelpPoints}}<select name="help_point">{{range .Data.HelpPoints}}<option value="{{.ID}}">{{.Name}} ({{.Municipality}})</option>{{end}}</select>{{else}}<input name="help_point" required>{{end}}</label></p>
<p><label>{{.T "console.notes.text"}}<br><textarea name="text" rows="4" required></textarea></label></p>
<p><button>{{.T "console.notes.send"}}</button></p></form>{{end}}
{{if .Data.Notes}}<table><tr><th>{{.T "console.notes.when"}}</th><th>{{.T "console.notes.from"}}</th><th>{{.T "console.notes.help_point"}}</th><th>{{.T "console.notes.text"}}</th></tr>
{{range .Data.Notes}}<tr><td>{{time .At}}</td><td>{{.From}}</td><td>{{.HelpPoint}}</td><td>{{.Text}}</td></tr>{{end}}</table>{{end}}{{end}}`,

	"languages": `{{define "content"}}
<p>{{.T "console.languages.intro"}}</p>
{{with .Data.Error}}<p class="err">{{.}}</p>{{end}}
<form method="post" action="{{.Prefix}}/languages"><input type="hidden" name="csrf" value="{{.CSRF}}">
<p>{{range .Data.Choices}}<label style="display:inline-block;min-width:12em"><input type="checkbox" name="lang" value="{{.}}"{{if $.Has $.Data.Mine .}} checked{{end}}> {{$.LangName .}}</label> {{end}}</p>
<p><label>{{.T "console.languages.other"}}<br><input name="others" value="{{.Data.Others}}" placeholder="de pt"></label></p>
<p><button>{{.T "console.save"}}</button></p></form>{{end}}`,

	"audit": `{{define "content"}}
<table><tr><th>{{.T "console.audit.when"}}</th><th>{{.T "console.audit.who"}}</th><th>{{.T "console.audit.what"}}</th><th>{{.T "console.audit.on"}}</th><th>{{.T "console.audit.addr"}}</th></tr>
{{range .Data.Entries}}<tr><td>{{time .At}}</td><td>{{.Actor}} <small>{{.Role}}</small></td><td>{{$.Word "action" .Action}}</td><td>{{.Case}}{{.Course}}{{with .Target}} {{.}}{{end}}</td><td>{{.Addr}}</td></tr>
{{else}}<tr><td colspan="5">{{.T "console.audit.none"}}</td></tr>{{end}}</table>
<p>{{if .Data.Paged}}<a href="{{.Prefix}}/audit">{{.T "console.audit.newest"}}</a> {{end}}{{with .Data.Next}}<a id="older" href="{{$.Prefix}}/audit?before={{.}}">{{$.T "console.audit.older"}}</a>{{end}}</p>{{end}}`,
}
