// Package config reads Presidio's settings from the environment, with
// command-line flags mirroring the ones that are not secrets. Every setting
// is checked at start-up; a bad one is reported as one line naming it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/directory"
)

// Config is the validated configuration.
type Config struct {
	Token           string
	APIURL          string
	MongoURI        string
	DataDir         string
	HTTPAddr        string
	WebhookURL      string
	WebhookSecret   string
	OperatorChatID  int64
	LogFormat       string
	LogLevel        string
	LocalesDir      string
	FlowsDir        string
	ShutdownTimeout time.Duration
	// LeaseTimeout is how long the active process's lease lasts without a
	// renewal: a standby takes over this long after the active died.
	LeaseTimeout time.Duration
	// OfficeHours are when counsellors answer (a help point's own hours
	// in the directory win).
	OfficeHours string
	// CaseReminder raises again a case nobody took for this long.
	CaseReminder time.Duration
	// CaseRetention is how long closed cases keep their personal content.
	CaseRetention time.Duration
	// CourseRetention is how long after a course's end date its places,
	// waiting list and claims (names, phones) are kept; 0 keeps them.
	CourseRetention time.Duration
	// DataController is who is responsible for people's data (name and a
	// contact), named in the privacy notice; empty: the notice says to ask
	// the help point.
	DataController string
	// ObservatorySecret keys the observatory's anonymous person tokens.
	ObservatorySecret string
	// TrustProxy trusts X-Forwarded-Proto and X-Forwarded-For from a
	// TLS-terminating proxy in front of the console.
	TrustProxy bool
	// ClosedCase says what a person writing on a closed case gets:
	// "reopen" (the same case) or "new" (a new case on the topic).
	ClosedCase string
	// TranslateURL is the language bridge's LibreTranslate-compatible
	// service ("" : no machine translation, nothing leaves the machine);
	// TranslateKey its optional API key.
	TranslateURL string
	TranslateKey string
}

// CheckServe reports what running the bot (not a one-off subcommand) needs
// beyond valid settings: with MONGODB_URI several processes may share the
// store (active and standby), and a key random at each start would count
// one person once per process, so the observatory key must be set.
func (c Config) CheckServe() error {
	if c.ObservatorySecret == "" && c.MongoURI != "" {
		return errors.New("PRESIDIO_OBSERVATORY_SECRET: is required with MONGODB_URI (every process on a store must count people with the same key): set 16+ random characters")
	}
	return nil
}

// Sandbox reports whether no bot token is set: the binary then serves the
// sandbox (a Bot API emulator and a web chat) instead of talking to Telegram.
func (c Config) Sandbox() bool { return c.Token == "" }

// Setting describes one setting for -h and the README.
type Setting struct {
	Env, Flag, Default, Help string
	Secret                   bool // never a flag: command lines are visible to other users
}

// Settings lists every setting in the order -h shows them.
var Settings = []Setting{
	{Env: "TELEGRAM_BOT_TOKEN", Secret: true, Help: "bot token from BotFather; empty starts the sandbox instead of talking to Telegram"},
	{Env: "TELEGRAM_API_URL", Flag: "api-url", Default: "https://api.telegram.org", Help: "Bot API base URL (a local Bot API server, or an emulator)"},
	{Env: "MONGODB_URI", Secret: true, Help: "MongoDB connection string; empty uses the embedded FerretDB (SQLite) under PRESIDIO_DATA_DIR"},
	{Env: "PRESIDIO_DATA_DIR", Flag: "data-dir", Default: "./data", Help: "folder of the embedded store's files"},
	{Env: "PRESIDIO_HTTP_ADDR", Flag: "http-addr", Default: "127.0.0.1:8080", Help: "address of health, metrics, webhook, sandbox and console"},
	{Env: "PRESIDIO_WEBHOOK_URL", Flag: "webhook-url", Help: "public HTTPS URL Telegram posts updates to; empty uses long polling"},
	{Env: "PRESIDIO_WEBHOOK_SECRET", Secret: true, Help: "secret Telegram sends with each webhook call (1-256 of A-Z a-z 0-9 _ -); required with PRESIDIO_WEBHOOK_URL"},
	{Env: "OPERATOR_CHAT_ID", Flag: "operator-chat-id", Help: "id of the operators' forum supergroup (negative, e.g. -1001234567890)"},
	{Env: "PRESIDIO_LOG_FORMAT", Flag: "log-format", Default: "text", Help: "text or json"},
	{Env: "PRESIDIO_LOG_LEVEL", Flag: "log-level", Default: "info", Help: "debug, info, warn or error (message texts are logged only at debug)"},
	{Env: "PRESIDIO_LOCALES_DIR", Flag: "locales-dir", Help: "read translations from this folder instead of the built-in ones (to try edits)"},
	{Env: "PRESIDIO_FLOWS_DIR", Flag: "flows-dir", Help: "read flow files from this folder instead of the built-in ones (to try edits)"},
	{Env: "PRESIDIO_OFFICE_HOURS", Flag: "office-hours", Default: "Mo-Fr 09:00-13:00", Help: "when counsellors answer, Europe/Rome (a help point's hours in the directory win)"},
	{Env: "PRESIDIO_CASE_REMINDER", Flag: "case-reminder", Default: "30m", Help: "raise again in the operators' group a case nobody took for this long (0 disables)"},
	{Env: "PRESIDIO_CASE_RETENTION", Flag: "case-retention", Default: "8760h", Help: "closed cases lose their personal content after this long (default 12 months)"},
	{Env: "PRESIDIO_COURSE_RETENTION", Flag: "course-retention", Default: "4320h", Help: "a course's enrolments and waiting list (names, phones) are deleted this long after its end date (default 180 days; 0 keeps them)"},
	{Env: "PRESIDIO_CLOSED_CASE", Flag: "closed-case", Default: "reopen", Help: "a person writing on a closed case: reopen it, or new (open a new one)"},
	{Env: "PRESIDIO_DATA_CONTROLLER", Flag: "data-controller", Help: "who is responsible for people's data, named in the privacy notice (e.g. \"CPIA 6 Castelli Romani, privacy@example.org\"); empty: the notice says to ask the help point"},
	{Env: "PRESIDIO_OBSERVATORY_SECRET", Secret: true, Help: "key (16+ characters) of the observatory's anonymous person tokens; required with MONGODB_URI; empty: random at each start"},
	{Env: "PRESIDIO_TRUST_PROXY", Flag: "trust-proxy", Default: "false", Help: "true behind a TLS-terminating proxy: console cookies become Secure on X-Forwarded-Proto: https"},
	{Env: "PRESIDIO_TRANSLATE_URL", Flag: "translate-url", Help: "LibreTranslate-compatible service of the counsellors' language bridge (e.g. http://127.0.0.1:5000, self-hosted); empty: no machine translation"},
	{Env: "PRESIDIO_TRANSLATE_KEY", Secret: true, Help: "API key of PRESIDIO_TRANSLATE_URL, if the service asks for one"},
	{Env: "PRESIDIO_SHUTDOWN_TIMEOUT", Flag: "shutdown-timeout", Default: "10s", Help: "how long SIGTERM waits for work in progress"},
	{Env: "PRESIDIO_LEASE_TIMEOUT", Flag: "lease-timeout", Default: "10s", Help: "a standby takes over this long (plus 2s) after the active process stopped renewing its lease (3s-5m)"},
}

// ErrHelp is returned when -h was asked for; the usage was printed.
var ErrHelp = flag.ErrHelp

// Parse reads settings from getenv, then from args (flags win). Errors name
// the variable or flag and what is wrong with it.
func Parse(args []string, getenv func(string) string, usageOut io.Writer) (Config, error) {
	values := map[string]string{}
	for _, s := range Settings {
		v, set := getenv(s.Env), getenv(s.Env) != ""
		if !set {
			v = s.Default
		}
		values[s.Env] = strings.TrimSpace(v)
	}
	fs := flag.NewFlagSet("presidio", flag.ContinueOnError)
	fs.SetOutput(usageOut)
	fs.Usage = func() { Usage(usageOut) }
	flagValues := map[string]*string{}
	for _, s := range Settings {
		if s.Flag != "" {
			flagValues[s.Env] = fs.String(s.Flag, values[s.Env], s.Help)
		}
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q (see presidio -h)", fs.Arg(0))
	}
	for env, p := range flagValues {
		values[env] = strings.TrimSpace(*p)
	}
	return validate(values)
}

var (
	tokenRE  = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

func validate(v map[string]string) (Config, error) {
	c := Config{
		Token: v["TELEGRAM_BOT_TOKEN"], APIURL: strings.TrimRight(v["TELEGRAM_API_URL"], "/"),
		MongoURI: v["MONGODB_URI"], DataDir: v["PRESIDIO_DATA_DIR"], HTTPAddr: v["PRESIDIO_HTTP_ADDR"],
		WebhookURL: v["PRESIDIO_WEBHOOK_URL"], WebhookSecret: v["PRESIDIO_WEBHOOK_SECRET"],
		LogFormat: v["PRESIDIO_LOG_FORMAT"], LogLevel: v["PRESIDIO_LOG_LEVEL"], LocalesDir: v["PRESIDIO_LOCALES_DIR"],
		FlowsDir: v["PRESIDIO_FLOWS_DIR"],
	}
	bad := func(env, format string, a ...any) (Config, error) {
		return Config{}, fmt.Errorf("%s: %s", env, fmt.Sprintf(format, a...))
	}
	if c.Token != "" && !tokenRE.MatchString(c.Token) {
		return bad("TELEGRAM_BOT_TOKEN", "does not look like a bot token (digits, a colon, then letters, digits, _ or -)")
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("TELEGRAM_API_URL", "%q is not an http(s) URL", c.APIURL)
	}
	if c.MongoURI != "" {
		if err := options.Client().ApplyURI(c.MongoURI).Validate(); err != nil || !(strings.HasPrefix(c.MongoURI, "mongodb://") || strings.HasPrefix(c.MongoURI, "mongodb+srv://")) {
			return bad("MONGODB_URI", "is not a valid mongodb:// or mongodb+srv:// URI")
		}
	}
	if c.DataDir == "" {
		return bad("PRESIDIO_DATA_DIR", "must not be empty")
	}
	if host, port, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return bad("PRESIDIO_HTTP_ADDR", "%q is not host:port", c.HTTPAddr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || strings.ContainsAny(host, "/ ") {
		return bad("PRESIDIO_HTTP_ADDR", "%q has no valid host and port", c.HTTPAddr)
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return bad("PRESIDIO_WEBHOOK_URL", "%q is not an absolute URL", c.WebhookURL)
		}
		if u.Scheme != "https" && strings.Contains(c.APIURL, "api.telegram.org") {
			return bad("PRESIDIO_WEBHOOK_URL", "Telegram only calls https:// webhooks")
		}
		if c.Token == "" {
			return bad("PRESIDIO_WEBHOOK_URL", "webhook mode needs TELEGRAM_BOT_TOKEN")
		}
		if !secretRE.MatchString(c.WebhookSecret) {
			return bad("PRESIDIO_WEBHOOK_SECRET", "required with PRESIDIO_WEBHOOK_URL: 1 to 256 characters from A-Z a-z 0-9 _ -")
		}
	}
	if s := v["OPERATOR_CHAT_ID"]; s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id >= 0 {
			return bad("OPERATOR_CHAT_ID", "%q is not a group chat id (a negative number such as -1001234567890)", s)
		}
		c.OperatorChatID = id
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return bad("PRESIDIO_LOG_FORMAT", "%q is neither text nor json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return bad("PRESIDIO_LOG_LEVEL", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	if c.LocalesDir != "" {
		if st, err := os.Stat(c.LocalesDir); err != nil || !st.IsDir() {
			return bad("PRESIDIO_LOCALES_DIR", "%q is not a folder", c.LocalesDir)
		}
	}
	if c.FlowsDir != "" {
		if st, err := os.Stat(c.FlowsDir); err != nil || !st.IsDir() {
			return bad("PRESIDIO_FLOWS_DIR", "%q is not a folder", c.FlowsDir)
		}
	}
	c.OfficeHours = v["PRESIDIO_OFFICE_HOURS"]
	if _, err := directory.ParseHours(c.OfficeHours); err != nil {
		return bad("PRESIDIO_OFFICE_HOURS", "%v", err)
	}
	for _, d := range []struct {
		env string
		dst *time.Duration
	}{{"PRESIDIO_CASE_REMINDER", &c.CaseReminder}, {"PRESIDIO_CASE_RETENTION", &c.CaseRetention},
		{"PRESIDIO_COURSE_RETENTION", &c.CourseRetention}} {
		x, err := time.ParseDuration(v[d.env])
		if err != nil || x < 0 {
			return bad(d.env, "%q is not a duration such as 30m or 8760h", v[d.env])
		}
		*d.dst = x
	}
	c.DataController = v["PRESIDIO_DATA_CONTROLLER"]
	if len(c.DataController) > 300 || strings.ContainsAny(c.DataController, "\r\n") {
		return bad("PRESIDIO_DATA_CONTROLLER", "must be one line of at most 300 characters")
	}
	c.ObservatorySecret = v["PRESIDIO_OBSERVATORY_SECRET"]
	if c.ObservatorySecret != "" && len(c.ObservatorySecret) < 16 {
		return bad("PRESIDIO_OBSERVATORY_SECRET", "must have at least 16 characters")
	}
	switch v["PRESIDIO_TRUST_PROXY"] {
	case "true":
		c.TrustProxy = true
	case "false", "":
	default:
		return bad("PRESIDIO_TRUST_PROXY", "%q is neither true nor false", v["PRESIDIO_TRUST_PROXY"])
	}
	c.ClosedCase = v["PRESIDIO_CLOSED_CASE"]
	if c.ClosedCase != "reopen" && c.ClosedCase != "new" {
		return bad("PRESIDIO_CLOSED_CASE", "%q is neither reopen nor new", c.ClosedCase)
	}
	c.TranslateURL, c.TranslateKey = strings.TrimRight(v["PRESIDIO_TRANSLATE_URL"], "/"), v["PRESIDIO_TRANSLATE_KEY"]
	if c.TranslateURL != "" {
		if u, err := url.Parse(c.TranslateURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("PRESIDIO_TRANSLATE_URL", "%q is not an http(s) URL", c.TranslateURL)
		}
	}
	d, err := time.ParseDuration(v["PRESIDIO_SHUTDOWN_TIMEOUT"])
	if err != nil || d <= 0 {
		return bad("PRESIDIO_SHUTDOWN_TIMEOUT", "%q is not a positive duration such as 10s", v["PRESIDIO_SHUTDOWN_TIMEOUT"])
	}
	c.ShutdownTimeout = d
	lt, err := time.ParseDuration(v["PRESIDIO_LEASE_TIMEOUT"])
	if err != nil || lt < 3*time.Second || lt > 5*time.Minute {
		return bad("PRESIDIO_LEASE_TIMEOUT", "%q is not a duration between 3s and 5m, such as 10s", v["PRESIDIO_LEASE_TIMEOUT"])
	}
	c.LeaseTimeout = lt
	return c, nil
}

// Usage prints every setting with its flag and default.
func Usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: presidio [flags]            run the bot (the sandbox when TELEGRAM_BOT_TOKEN is empty)")
	fmt.Fprintln(w, "       presidio directory import FILE.csv | export")
	fmt.Fprintln(w, "       presidio courses import FILE.csv | export")
	fmt.Fprintln(w, "       presidio user add -name NAME -role coordinator|operator|school|partner [-site SITE] < password")
	fmt.Fprintln(w, "       presidio user list | disable NAME")
	fmt.Fprintln(w, "       presidio store serve [-listen 127.0.0.1:27017]      the embedded store alone, for several processes")
	fmt.Fprintln(w, "       presidio store copy -to MONGODB_URI [-overwrite]  every collection and index to another store")
	fmt.Fprintln(w, "       presidio backup FILE | restore FILE               the embedded store (restore: into an empty data folder)")
	fmt.Fprintln(w, "\nSettings come from the environment; flags override them. Secrets have no flag.")
	for _, s := range Settings {
		name := s.Env
		if s.Flag != "" {
			name += "  (-" + s.Flag + ")"
		}
		def := s.Default
		if def == "" {
			def = "empty"
		}
		fmt.Fprintf(w, "\n  %s\n      %s (default: %s)\n", name, s.Help, def)
	}
}
