package translate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/prils-lazio/presidio/internal/metrics"
	"github.com/prils-lazio/presidio/internal/translate"
	"github.com/prils-lazio/presidio/internal/translate/translatetest"
)

func TestUnsetURLIsOff(t *testing.T) {
	c := translate.New("  ", "key")
	if c != nil {
		t.Fatal("an empty URL must give no client")
	}
	if _, err := c.Translate(context.Background(), "مرحبا", "ar", "it"); err != translate.ErrOff {
		t.Fatalf("nil client: err %v, want ErrOff", err)
	}
}

func TestTranslateSpeaksLibreTranslate(t *testing.T) {
	fake := translatetest.New()
	defer fake.Close()
	fake.Key = "secret"
	c := translate.New(fake.URL+"/", "secret")
	reg := metrics.NewRegistry()
	c.Counter = reg.NewCounterVec("presidio_translations_total", "Machine translations by outcome.", "outcome")

	got, err := c.Translate(context.Background(), "أحتاج تجديد تصريح الإقامة", "ar", "it")
	if err != nil {
		t.Fatal(err)
	}
	if want := translatetest.Translated("أحتاج تجديد تصريح الإقامة", "it"); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	req := fake.Requests()[0]
	if req.Source != "ar" || req.Target != "it" || req.Format != "text" || req.APIKey != "secret" {
		t.Fatalf("request %+v", req)
	}
	// Same language, or nothing to translate: no call.
	if s, _ := c.Translate(context.Background(), "ciao", "it", "it"); s != "ciao" {
		t.Fatalf("same language changed the text: %q", s)
	}
	if len(fake.Requests()) != 1 {
		t.Fatalf("%d calls, want 1", len(fake.Requests()))
	}

	fake.Fail(true)
	if _, err := c.Translate(context.Background(), "привіт", "uk", "it"); err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("failing service: err %v", err)
	}
	if c.Counter.Get("ok") != 1 || c.Counter.Get("failed") != 1 {
		t.Fatalf("counted ok=%d failed=%d, want 1 and 1", c.Counter.Get("ok"), c.Counter.Get("failed"))
	}
	var b strings.Builder
	reg.Write(&b)
	if !strings.Contains(b.String(), `presidio_translations_total{outcome="failed"} 1`) {
		t.Fatalf("metrics:\n%s", b.String())
	}
}

func TestWrongKeyAndLanguages(t *testing.T) {
	fake := translatetest.New()
	defer fake.Close()
	fake.Key = "secret"
	if _, err := translate.New(fake.URL, "wrong").Translate(context.Background(), "hello", "en", "it"); err == nil || !strings.Contains(err.Error(), "Invalid API key") {
		t.Fatalf("wrong key: err %v", err)
	}
	langs, err := translate.New(fake.URL, "").Languages(context.Background())
	if err != nil || len(langs) == 0 || langs[0].Code != "ar" {
		t.Fatalf("languages %v, %v", langs, err)
	}
}

func TestCode(t *testing.T) {
	for in, want := range map[string]string{"ar": "ar", "pt-BR": "pt", "": "auto", "fil": "tl", "zh": "zh", "zh-Hant": "zh-hant"} {
		if got := translate.Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}
