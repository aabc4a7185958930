package flows_test

import (
	"context"
	"regexp"
	"strings"
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

// The narrow answers of issue 12 are reached by typing, in the person's own
// words and language: an expired permit (the main menu used to answer),
// EU citizens, temporary protection, and "what is …?" for a glossary word.
func TestFreeTextReachesTheNarrowAnswer(t *testing.T) {
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
	cases := []struct{ lang, text, answer string }{
		{"it", "il mio permesso di soggiorno è scaduto, cosa faccio?", "permits.expired"},
		{"en", "my permit expired last month", "permits.expired"},
		{"fr", "mon titre de séjour est expiré", "permits.expired"},
		{"es", "se me venció el permiso", "permits.expired"},
		{"ro", "mi-a expirat permisul de ședere", "permits.expired"},
		{"sq", "më ka skaduar leja e qëndrimit", "permits.expired"},
		{"ar", "انتهت إقامتي ماذا أفعل", "permits.expired"},
		{"uk", "мій дозвіл на проживання закінчився", "permits.expired"},
		{"ru", "у меня истек срок внж", "permits.expired"},
		{"bn", "আমার পারমিটের মেয়াদ শেষ হয়ে গেছে", "permits.expired"},
		{"ur", "میرے اجازت نامے کی میعاد ختم ہو گئی ہے", "permits.expired"},
		{"ur", "bhai mera permesso khatam ho gaya", "permits.expired"},
		{"pa", "ਮੇਰੇ ਪਰਮਿਟ ਦੀ ਮਿਆਦ ਖਤਮ ਹੋ ਗਈ", "permits.expired"},
		{"zh", "我的居留过期了怎么办", "permits.expired"},
		{"fil", "expired na ang permesso ko", "permits.expired"},
		{"fa", "اجازه اقامتم تمام شده، چه کار کنم؟", "permits.expired"},
		{"prs", "کارت اقامتم تمام شده", "permits.expired"},
		{"ps", "زما د اوسېدو اجازه ختمه شوې", "permits.expired"},
		{"fa", "میخواهم خودکشی کنم", "urgent.crisis"},
		{"ps", "ځان وژنه غواړم", "urgent.crisis"},
		{"fa", "Questura چیست؟", "glossary.questura"},
		{"ps", "کوئستورا څه شی دی؟", "glossary.questura"},
		{"ro", "sunt cetățean român, îmi trebuie permis de ședere?", "permits.eu"},
		{"uk", "тимчасовий захист для українців", "permits.ukraine"},
		{"it", "voglio farla finita", "urgent.crisis"},
		{"en", "I want to end my life", "urgent.crisis"},
		{"ru", "хочу умереть", "urgent.crisis"},
		{"fr", "je subis du racisme, que faire ?", "urgent.menu"},
		{"it", "cos'è la Questura?", "glossary.questura"},
		{"en", "what is the prefettura", "glossary.prefettura"},
		{"fr", "c'est quoi le codice fiscale ?", "glossary.codicefiscale"},
		{"es", "¿qué es una marca da bollo?", "glossary.bollo"},
		{"ro", "ce înseamnă anagrafe?", "glossary.anagrafe"},
		{"ru", "что такое SPID", "glossary.spid"},
		{"ar", "ما هو patronato؟", "glossary.patronato"},
		{"zh", "STP 是什么", "glossary.stp"},
		{"bn", "autocertificazione কী?", "glossary.autocert"},
		// The word in the person's own script, or glued to Chinese.
		{"ru", "что такое квестура?", "glossary.questura"},
		{"uk", "що таке податковий код", "glossary.codicefiscale"},
		{"ar", "ما هي الكويستورا؟", "glossary.questura"},
		{"zh", "STP是什么", "glossary.stp"},
		{"zh", "税号是什么意思", "glossary.codicefiscale"},
		// A glossary word without "what is" is a question about its topic.
		{"it", "devo andare in questura per il rinnovo", "permits.menu"},
		{"en", "what is needed for family reunification", "family.menu"},
	}
	for _, c := range cases {
		sess := &store.Session{Lang: c.lang}
		out, err := b.Handle(context.Background(), sess, chat.Incoming{Kind: chat.KindText, Private: true, ChatID: 3, Text: c.text})
		if err != nil {
			t.Fatal(err)
		}
		if want := texts.Text(c.lang, c.answer, nil); len(out) == 0 || out[0].Text != want {
			got := ""
			if len(out) > 0 {
				got = out[0].Text
			}
			t.Errorf("%s %q answered %.70q, want %s", c.lang, c.text, got, c.answer)
		}
	}
}

// /help tells everyone how to ask for a difficult word, with an example in
// their language; the example, typed as it is, opens the glossary entry.
func TestHelpGlossaryExampleWorksInEveryLanguage(t *testing.T) {
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
	quoted := regexp.MustCompile(`[«“]\s*(.+?)\s*[»”]`)
	for _, lang := range texts.LanguageTags() {
		m := quoted.FindStringSubmatch(texts.Text(lang, "help.text", nil))
		if m == nil {
			t.Errorf("%s: help.text has no «example» of a question about a word", lang)
			continue
		}
		example := strings.NewReplacer("\u2068", "", "\u2069", "").Replace(m[1])
		sess := &store.Session{Lang: lang}
		out, err := b.Handle(context.Background(), sess, chat.Incoming{Kind: chat.KindText, Private: true, ChatID: 3, Text: example})
		if err != nil {
			t.Fatal(err)
		}
		if want := texts.Text(lang, "glossary.questura", nil); len(out) == 0 || out[0].Text != want {
			t.Errorf("%s: the help example %q does not open the Questura entry", lang, example)
		}
	}
}
