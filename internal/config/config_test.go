package config

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Parse(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Sandbox() || c.HTTPAddr != "127.0.0.1:8080" || c.DataDir != "./data" || c.APIURL != "https://api.telegram.org" {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := Parse([]string{"-http-addr", "127.0.0.1:9999"}, env(map[string]string{"PRESIDIO_HTTP_ADDR": "127.0.0.1:1"}), io.Discard)
	if err != nil || c.HTTPAddr != "127.0.0.1:9999" {
		t.Fatalf("got %q, %v", c.HTTPAddr, err)
	}
}

func TestBadSettingsNameTheVariable(t *testing.T) {
	cases := map[string]map[string]string{
		"TELEGRAM_BOT_TOKEN":        {"TELEGRAM_BOT_TOKEN": "not a token"},
		"TELEGRAM_API_URL":          {"TELEGRAM_API_URL": "ftp://x"},
		"MONGODB_URI":               {"MONGODB_URI": "postgres://x"},
		"PRESIDIO_HTTP_ADDR":        {"PRESIDIO_HTTP_ADDR": "8080"},
		"PRESIDIO_WEBHOOK_URL":      {"TELEGRAM_BOT_TOKEN": "1:abc", "PRESIDIO_WEBHOOK_URL": "http://example.org/hook", "PRESIDIO_WEBHOOK_SECRET": "s"},
		"PRESIDIO_WEBHOOK_SECRET":   {"TELEGRAM_BOT_TOKEN": "1:abc", "PRESIDIO_WEBHOOK_URL": "https://example.org/hook"},
		"OPERATOR_CHAT_ID":          {"OPERATOR_CHAT_ID": "12x"},
		"PRESIDIO_LOG_FORMAT":       {"PRESIDIO_LOG_FORMAT": "xml"},
		"PRESIDIO_LOG_LEVEL":        {"PRESIDIO_LOG_LEVEL": "loud"},
		"PRESIDIO_SHUTDOWN_TIMEOUT": {"PRESIDIO_SHUTDOWN_TIMEOUT": "soon"},
		"PRESIDIO_LOCALES_DIR":      {"PRESIDIO_LOCALES_DIR": "/nonexistent/folder"},
	}
	for name, vars := range cases {
		_, err := Parse(nil, env(vars), io.Discard)
		if err == nil || !strings.HasPrefix(err.Error(), name+":") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line starting with the variable name", name, err)
		}
	}
	// A positive OPERATOR_CHAT_ID is a private chat, not the operators' group.
	if _, err := Parse(nil, env(map[string]string{"OPERATOR_CHAT_ID": "42"}), io.Discard); err == nil {
		t.Error("positive OPERATOR_CHAT_ID accepted")
	}
}

func TestWebhookSettings(t *testing.T) {
	c, err := Parse(nil, env(map[string]string{
		"TELEGRAM_BOT_TOKEN": "123:ABC-def_1", "PRESIDIO_WEBHOOK_URL": "https://bot.example.org/tg/hook",
		"PRESIDIO_WEBHOOK_SECRET": "s3cr3t_-", "OPERATOR_CHAT_ID": "-1001234567890",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sandbox() || c.WebhookSecret != "s3cr3t_-" || c.OperatorChatID != -1001234567890 {
		t.Fatalf("%+v", c)
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var b strings.Builder
	_, err := Parse([]string{"-h"}, env(nil), &b)
	if !errors.Is(err, ErrHelp) {
		t.Fatalf("err = %v, want ErrHelp", err)
	}
	for _, s := range Settings {
		if !strings.Contains(b.String(), s.Env) {
			t.Errorf("-h does not list %s", s.Env)
		}
	}
	if !strings.Contains(b.String(), "127.0.0.1:8080") {
		t.Error("-h does not show defaults")
	}
}

// With a shared store (MONGODB_URI) the observatory key must be a setting:
// a random key per process would count one person once per process.
func TestObservatorySecretRequiredWithMongoDB(t *testing.T) {
	c, err := Parse(nil, func(k string) string {
		return map[string]string{"MONGODB_URI": "mongodb://db:27017/?replicaSet=rs0"}[k]
	}, io.Discard)
	if err != nil {
		t.Fatal(err) // subcommands (backup, user add…) run without it
	}
	if err := c.CheckServe(); err == nil || !strings.Contains(err.Error(), "PRESIDIO_OBSERVATORY_SECRET") {
		t.Fatalf("err = %v, want one naming PRESIDIO_OBSERVATORY_SECRET", err)
	}
}
