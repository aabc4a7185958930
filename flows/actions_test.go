package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prils-lazio/presidio/flows"
	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/store/storetest"
	"github.com/prils-lazio/presidio/locales"
)

// "Services near me" answers with one compact list whose distances and
// opening hours are written in the person's language, and one button per
// service; the button gives the details (map pin, phone, description),
// whatever the person is doing by then.
func TestNearestServicesCompactAndLocalized(t *testing.T) {
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t)
	dir := directory.New(st)
	svc := func(id, name string, lat, lon float64, hours string) directory.Service {
		return directory.Service{
			ID: id, Name: name, Category: directory.CategoryHealth, ProviderType: directory.ProviderPublic,
			Municipality: "Frascati", Address: "Via Roma 1", Latitude: lat, Longitude: lon, Phone: "06 1234567",
			Hours: hours, Languages: []string{"it"},
			Descriptions: map[string]string{"it": "Consultorio familiare.", "uk": "Сімейна консультація."},
		}
	}
	if _, err := dir.Upsert(context.Background(), []directory.Service{
		svc("consultorio", "Consultorio Frascati", 41.8069, 12.6797, "Mo-Fr 09:00-13:00; We 15:00-18:00"),
		svc("asl-marino", "ASL Marino", 41.7697, 12.6603, ""),
	}); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return fixedNow } // Wednesday 10:30 in Rome
	actions := flows.Actions(dir, texts, now, nil)
	here := &chat.Incoming{Kind: chat.KindLocation, Location: &chat.Location{Latitude: 41.8075, Longitude: 12.6810}}
	cases := map[string][]string{
		"ar": {"١٣٠ م", "٩:٠٠ ص – ١:٠٠ م، ٣:٠٠ م – ٦:٠٠ م", "٤٫٥ كم"},
		"uk": {"130 м", "09:00 – 13:00, 15:00 – 18:00", "4,5 км"},
		"zh": {"130米", "上午9:00 – 下午1:00、下午3:00 – 下午6:00", "4.5公里"},
		"it": {"130 m", "09:00 – 13:00, 15:00 – 18:00", "4,5 km"},
	}
	for lang, want := range cases {
		t.Run(lang, func(t *testing.T) {
			res, err := actions["directory.nearest"].Run(context.Background(),
				flows.ActionCall{Name: "directory.nearest", Params: map[string]string{"category": "health"}, Input: here},
				flows.Turn{ChatID: 5, Lang: lang})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Out) != 2 || !res.Out[0].RemoveKeyboard || len(res.Out[1].Buttons) != 2 {
				t.Fatalf("want the list (removing the location keyboard) and one message with 2 buttons, got %+v", res.Out)
			}
			for _, w := range want {
				if !strings.Contains(res.Out[0].Text, w) {
					t.Errorf("list lacks %q:\n%s", w, res.Out[0].Text)
				}
			}
			if strings.Contains(res.Out[0].Text, "Mo-Fr") || strings.Contains(res.Out[0].Text, "2.5 km") {
				t.Errorf("raw data in the list:\n%s", res.Out[0].Text)
			}
		})
	}

	// The details: pin, phone, today's hours, the description in the
	// person's language, or the Italian one said to be Italian.
	detail := func(lang string) []chat.Outgoing {
		res, err := actions["directory.detail"].Run(context.Background(),
			flows.ActionCall{Name: "directory.detail", Params: map[string]string{"id": "consultorio"}}, flows.Turn{ChatID: 5, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Wait || len(res.Out) != 2 || res.Out[0].Venue == nil {
			t.Fatalf("%s: want a pin and a card that leave the conversation where it is, got %+v", lang, res)
		}
		return res.Out
	}
	if card := detail("uk")[1].Text; !strings.Contains(card, "Сімейна консультація.") || !strings.Contains(card, "06 1234567") || strings.Contains(card, "(італійською)") ||
		!strings.Contains(card, "🗓 пн, вт 09:00 – 13:00\n🗓 ср 09:00 – 13:00, 15:00 – 18:00\n🗓 чт, пт 09:00 – 13:00") {
		t.Errorf("uk card:\n%s", card)
	}
	if card := detail("fa")[1].Text; !strings.Contains(card, "(به ایتالیایی)\nConsultorio familiare.") || !strings.Contains(card, "۹:۰۰ – ۱۳:۰۰") {
		t.Errorf("fa card:\n%s", card)
	}
	res, err := actions["directory.detail"].Run(context.Background(),
		flows.ActionCall{Name: "directory.detail", Params: map[string]string{"id": "gone"}}, flows.Turn{ChatID: 5, Lang: "en"})
	if err != nil || len(res.Out) != 1 || res.Out[0].Text != texts.Text("en", "directory.none", nil) {
		t.Errorf("unknown service: %+v %v", res, err)
	}
}
