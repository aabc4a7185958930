package flows

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/signup"
)

// Actions returns the actions flows can call. The app replaces "escalate"
// with the real desk; without it, the person is told where to go.
func Actions(dir *directory.Directory, texts Catalog, now func() time.Time, courses *signup.Service) map[string]Action {
	say := func(id string) Action {
		return ActionFunc(func(_ context.Context, _ ActionCall, t Turn) (ActionResult, error) {
			return ActionResult{Out: []chat.Outgoing{{ChatID: t.ChatID, Text: texts.Text(t.Lang, id, nil)}}}, nil
		})
	}
	return map[string]Action{
		"escalate":          say("human.placeholder"),
		"directory.nearest": &nearest{dir: dir, texts: texts, now: now},
		"courses.pick": ActionFunc(func(ctx context.Context, call ActionCall, t Turn) (ActionResult, error) {
			out, set, wait, err := courses.Pick(ctx, call.Vars, call.Input, t.ChatID, t.Lang)
			return ActionResult{Out: out, Vars: set, Wait: wait}, err
		}),
		"courses.enrol": ActionFunc(func(ctx context.Context, call ActionCall, t Turn) (ActionResult, error) {
			out, err := courses.Enrol(ctx, call.Vars, t.ChatID, t.Lang)
			// The school has the name and phone now: the chat keeps nothing.
			return ActionResult{Out: out, Vars: map[string]string{"course": "", "name": "", "phone": "", "site": "", "level": ""}}, err
		}),
	}
}

// nearest asks for the person's location (unless it came with the call),
// then shows the three nearest services of the node's category with the
// distance, today's hours and whether it is open now, each with a map pin.
type nearest struct {
	dir   *directory.Directory
	texts Catalog
	now   func() time.Time
}

func (a *nearest) Run(ctx context.Context, call ActionCall, t Turn) (ActionResult, error) {
	category := directory.Category(call.Params["category"])
	if call.Input != nil && strings.HasPrefix(call.Input.Data, townData) {
		return a.inTown(ctx, t, category, strings.TrimPrefix(call.Input.Data, townData))
	}
	if call.Input == nil || call.Input.Location == nil {
		return a.ask(ctx, t, category)
	}
	loc := call.Input.Location
	found, err := a.dir.Nearest(ctx, loc.Latitude, loc.Longitude, category, 3)
	if err != nil {
		return ActionResult{}, err
	}
	if len(found) == 0 {
		return ActionResult{Out: []chat.Outgoing{{ChatID: t.ChatID, RemoveKeyboard: true, Text: a.texts.Text(t.Lang, "directory.none", nil)}}}, nil
	}
	out := []chat.Outgoing{{ChatID: t.ChatID, RemoveKeyboard: true, Text: a.texts.Text(t.Lang, "directory.nearest_header", nil)}}
	now := a.now()
	for _, s := range found {
		title := s.Name
		out = append(out, chat.Outgoing{ChatID: t.ChatID, Venue: &chat.Venue{
			Latitude: s.Latitude, Longitude: s.Longitude, Title: title, Address: s.Municipality + " — " + s.Address,
		}})
		out = append(out, chat.Outgoing{ChatID: t.ChatID, Text: a.card(t.Lang, s, now)})
	}
	return ActionResult{Out: out}, nil
}

// townData starts the callback data of a town button.
const townData = dataAction + "t:"

// ask asks for the location, or a town among those that have services of
// the category (two messages: Telegram puts a location button and inline
// buttons on different messages).
func (a *nearest) ask(ctx context.Context, t Turn, category directory.Category) (ActionResult, error) {
	out := []chat.Outgoing{{
		ChatID: t.ChatID, Text: a.texts.Text(t.Lang, "directory.ask_location", nil),
		Keyboard: [][]chat.KeyboardButton{{{Text: "📍 " + a.texts.Text(t.Lang, "button.share_location", nil), RequestLocation: true}}},
	}}
	services, err := a.dir.List(ctx, directory.Filter{Category: category})
	if err != nil {
		return ActionResult{}, err
	}
	var towns []string
	seen := map[string]bool{}
	for _, s := range services {
		if s.Municipality != "" && !seen[s.Municipality] && len(townData+s.Municipality) <= maxCallbackData {
			seen[s.Municipality] = true
			towns = append(towns, s.Municipality)
		}
	}
	sort.Strings(towns)
	if len(towns) > 0 {
		var rows [][]chat.Button
		for i, town := range towns {
			if i%2 == 0 {
				rows = append(rows, nil)
			}
			rows[len(rows)-1] = append(rows[len(rows)-1], chat.Button{Text: town, Data: townData + town})
		}
		out = append(out, chat.Outgoing{ChatID: t.ChatID, Text: a.texts.Text(t.Lang, "directory.choose_town", nil), Buttons: rows})
	}
	return ActionResult{Wait: true, Out: out}, nil
}

// inTown lists the services of the category in a town.
func (a *nearest) inTown(ctx context.Context, t Turn, category directory.Category, town string) (ActionResult, error) {
	services, err := a.dir.List(ctx, directory.Filter{Category: category, Municipality: town})
	if err != nil {
		return ActionResult{}, err
	}
	if len(services) == 0 {
		return ActionResult{Out: []chat.Outgoing{{ChatID: t.ChatID, RemoveKeyboard: true, Text: a.texts.Text(t.Lang, "directory.none", nil)}}}, nil
	}
	out := []chat.Outgoing{{ChatID: t.ChatID, RemoveKeyboard: true, Text: a.texts.Text(t.Lang, "directory.in_town", map[string]any{"Town": a.texts.Isolate(t.Lang, town)})}}
	now := a.now()
	for _, s := range services {
		if s.HasLocation() {
			out = append(out, chat.Outgoing{ChatID: t.ChatID, Venue: &chat.Venue{Latitude: s.Latitude, Longitude: s.Longitude, Title: s.Name, Address: s.Municipality + " — " + s.Address}})
		}
		out = append(out, chat.Outgoing{ChatID: t.ChatID, Text: a.card(t.Lang, directory.Nearby{Service: s, Metres: -1}, now)})
	}
	return ActionResult{Out: out}, nil
}

// card describes one service: distance, hours today, open now, contacts.
func (a *nearest) card(lang string, s directory.Nearby, now time.Time) string {
	var b strings.Builder
	b.WriteString(s.Name + "\n")
	if s.Metres >= 0 {
		b.WriteString(a.texts.Text(lang, "directory.distance", map[string]any{"Distance": a.texts.Isolate(lang, distance(s.Metres))}) + "\n")
	}
	switch today := s.TodayHours(now); {
	case s.Hours == "":
		b.WriteString(a.texts.Text(lang, "directory.hours_unknown", nil) + "\n")
	case today == "":
		b.WriteString(a.texts.Text(lang, "directory.closed_today", nil) + "\n")
	case s.OpenAt(now):
		b.WriteString(a.texts.Text(lang, "directory.open_now", map[string]any{"Hours": a.texts.Isolate(lang, today)}) + "\n")
	default:
		b.WriteString(a.texts.Text(lang, "directory.closed_now", map[string]any{"Hours": a.texts.Isolate(lang, today)}) + "\n")
	}
	if s.Phone != "" {
		b.WriteString("📞 " + s.Phone + "\n")
	}
	if s.Website != "" {
		b.WriteString("🔗 " + s.Website + "\n")
	}
	if d := s.Describe(lang); d != "" {
		b.WriteString("\n" + d + "\n")
	}
	if s.Sample {
		b.WriteString("\n⚠️ " + a.texts.Text(lang, "directory.sample", nil))
	}
	return strings.TrimSpace(b.String())
}

// distance writes metres as "350 m" or "2.4 km".
func distance(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%d m", int(m/10+0.5)*10)
	}
	return strconv.FormatFloat(m/1000, 'f', 1, 64) + " km"
}
