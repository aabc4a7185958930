package flows_test

import (
	"context"
	"testing"

	"github.com/prils-lazio/presidio/flows"
	"github.com/prils-lazio/presidio/flows/understand"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/locales"
)

// understander is the real free-text understanding.
func understander(t *testing.T) flows.Understander {
	t.Helper()
	m, err := understand.Load()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Realistic phrasings typed instead of tapping reach the right topic, in
// the person's language, through the whole handler (not only the matcher).
func TestFreeTextReachesTheRightTopic(t *testing.T) {
	texts, err := locales.LoadFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	actions := flows.Actions(nil, texts, nil, nil)
	defs, err := flows.Load("", texts, actions)
	if err != nil {
		t.Fatal(err)
	}
	b := &flows.Bot{Engine: flows.NewEngine(defs, texts), Texts: texts, Actions: actions, Understand: understander(t)}
	cases := []struct{ lang, text, flow string }{
		{"it", "come rinnovo il permesso di soggiorno?", "permits"},
		{"it", "mi serve un medico per mio figlio", "health"},
		{"it", "voglio imparare l'italiano", "italian"},
		{"it", "cerco lavoro", "work"},
		{"en", "how do i renew my permesso", "permits"},
		{"en", "I need a doctor", "health"},
		{"en", "my child must go to school", "school"},
		{"en", "where do I get the codice fiscale", "documents"},
		{"fr", "j'ai besoin d'un médecin pour mon enfant", "health"},
		{"fr", "je cherche un travail", "work"},
		{"ar", "أريد تجديد الإقامة", "permits"},
		{"ar", "أحتاج طبيب", "health"},
		{"uk", "де вивчати італійську мову", "italian"},
		{"uk", "мені потрібен лікар", "health"},
		{"bn", "আমার কাজ দরকার", "work"},
		{"bn", "আমি ডাক্তার দেখাতে চাই", "health"},
		{"en", "my husband hits me", "urgent"},
	}
	for _, c := range cases {
		sess := &store.Session{Lang: c.lang}
		out, err := b.Handle(context.Background(), sess, chat.Incoming{Kind: chat.KindText, Private: true, ChatID: 3, Text: c.text})
		if err != nil {
			t.Fatal(err)
		}
		st := flows.DecodeState(sess.State)
		if st.Flow != c.flow {
			t.Errorf("%s %q reached flow %q, want %q (first answer: %.60q)", c.lang, c.text, st.Flow, c.flow, out[0].Text)
		}
	}
}
