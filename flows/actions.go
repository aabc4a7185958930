package flows

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/directory"
	"github.com/prils-lazio/presidio/internal/signup"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/locales"
)

// Actions returns the actions flows can call. The app replaces "escalate"
// with the real desk; without it, the person is told where to go.
func Actions(dir *directory.Directory, texts ActionTexts, now func() time.Time, courses *signup.Service) map[string]Action {
	say := func(id string) Action {
		return ActionFunc(func(_ context.Context, _ ActionCall, t Turn) (ActionResult, error) {
			return ActionResult{Out: []chat.Outgoing{{ChatID: t.ChatID, Text: texts.Text(t.Lang, id, nil)}}}, nil
		})
	}
	return map[string]Action{
		"escalate":          say("human.placeholder"),
		"directory.nearest": &nearest{dir: dir, texts: texts, now: now},
		"directory.detail":  &detail{dir: dir, texts: texts, now: now},
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

// ActionTexts are the texts the actions need: messages, and data (distances,
// hours) written in the person's language. *locales.Catalog has them all.
type ActionTexts interface {
	Catalog
	Distance(lang string, metres float64) string
	ClockRanges(lang string, ranges []locales.ClockRange) string
	WeekSchedule(lang string, week [7][]locales.ClockRange) []string
}

// nearest asks for the person's location (unless it came with the call),
// then shows the three nearest services of the node's category in one
// compact message: name, distance, open now, with one button each for the
// details (see detail). A town chosen instead of a location lists the
// town's services the same way.
type nearest struct {
	dir   *directory.Directory
	texts ActionTexts
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
	return ActionResult{Out: a.list(t, a.texts.Text(t.Lang, "directory.nearest_header", nil), found)}, nil
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
	found := make([]directory.Nearby, len(services))
	for i, s := range services {
		found[i] = directory.Nearby{Service: s, Metres: -1}
	}
	header := a.texts.Text(t.Lang, "directory.in_town", map[string]any{"Town": a.texts.Isolate(t.Lang, town)})
	return ActionResult{Out: a.list(t, header, found)}, nil
}

// maxListed bounds the services of one compact list (a town may have many).
const maxListed = 8

// list is the compact answer: one message with one short entry per
// service (name; distance, today's hours, open now), then a button per
// service that opens its details.
func (a *nearest) list(t Turn, header string, found []directory.Nearby) []chat.Outgoing {
	if len(found) > maxListed {
		found = found[:maxListed]
	}
	now := a.now()
	var b strings.Builder
	b.WriteString(header)
	var rows [][]chat.Button
	for i, s := range found {
		n := strconv.Itoa(i + 1)
		b.WriteString("\n\n" + n + ". " + a.texts.Isolate(t.Lang, s.Name) + "\n")
		var facts []string
		if s.Metres >= 0 {
			facts = append(facts, a.texts.Text(t.Lang, "directory.distance", map[string]any{"Distance": a.texts.Isolate(t.Lang, a.texts.Distance(t.Lang, s.Metres))}))
		}
		facts = append(facts, hoursLine(a.texts, t.Lang, s.Service, now))
		b.WriteString(strings.Join(facts, " · "))
		if len(serviceData+s.ID) <= maxCallbackData {
			rows = append(rows, []chat.Button{{Text: n + ". " + buttonLabel(s.Name), Data: serviceData + s.ID}})
		}
	}
	// Telegram takes one keyboard per message: the list removes the
	// location keyboard, the buttons come in a short message of their own.
	out := []chat.Outgoing{{ChatID: t.ChatID, RemoveKeyboard: true, Text: b.String()}}
	if len(rows) > 0 {
		out = append(out, chat.Outgoing{ChatID: t.ChatID, Text: a.texts.Text(t.Lang, "directory.tap_for_details", nil), Buttons: rows})
	}
	return out
}

// buttonLabel shortens a service name to fit a button.
func buttonLabel(name string) string {
	const max = 36 // runes, with the number in front under Telegram's comfortable 40
	rs := []rune(name)
	if len(rs) <= max {
		return name
	}
	return strings.TrimSpace(string(rs[:max-1])) + "…"
}

// hoursLine says whether the service is open now, with today's hours in
// the person's language, or that the hours are unknown or it is closed
// today.
func hoursLine(texts ActionTexts, lang string, s directory.Service, now time.Time) string {
	today := s.Today(now)
	ranges := make([]locales.ClockRange, len(today))
	for i, r := range today {
		ranges[i] = locales.ClockRange{Start: r.Start, End: r.End}
	}
	hours := texts.Isolate(lang, texts.ClockRanges(lang, ranges))
	switch {
	case s.Hours == "":
		return texts.Text(lang, "directory.hours_unknown", nil)
	case len(today) == 0:
		return texts.Text(lang, "directory.closed_today", nil)
	case s.OpenAt(now):
		return texts.Text(lang, "directory.open_now", map[string]any{"Hours": hours})
	default:
		return texts.Text(lang, "directory.closed_now", map[string]any{"Hours": hours})
	}
}

// detail is the "directory.detail" action, run by a service button of a
// compact list (callback data "s:<service id>") whatever the person is
// doing now, so buttons of older lists keep working: the map pin, then the
// card with today's hours, contacts and description. It leaves the
// conversation where it is.
type detail struct {
	dir   *directory.Directory
	texts ActionTexts
	now   func() time.Time
}

func (a *detail) Run(ctx context.Context, call ActionCall, t Turn) (ActionResult, error) {
	s, err := a.dir.Get(ctx, call.Params["id"])
	if errors.Is(err, store.ErrNotFound) || err == nil && s.Retired {
		return ActionResult{Wait: true, Out: []chat.Outgoing{{ChatID: t.ChatID, Text: a.texts.Text(t.Lang, "directory.none", nil)}}}, nil
	}
	if err != nil {
		return ActionResult{}, err
	}
	var out []chat.Outgoing
	if s.HasLocation() {
		out = append(out, chat.Outgoing{ChatID: t.ChatID, Venue: &chat.Venue{Latitude: s.Latitude, Longitude: s.Longitude, Title: s.Name, Address: s.Municipality + " — " + s.Address}})
	}
	out = append(out, chat.Outgoing{ChatID: t.ChatID, Text: card(a.texts, t.Lang, s, a.now())})
	return ActionResult{Wait: true, Out: out}, nil
}

// card describes one service: hours today, open now, the week's hours,
// contacts, and the
// description in the person's language (or the Italian one, said so).
func card(texts ActionTexts, lang string, s directory.Service, now time.Time) string {
	var b strings.Builder
	b.WriteString(s.Name + "\n")
	if s.Address != "" && !s.HasLocation() { // else the map pin above shows it
		b.WriteString("📍 " + texts.Isolate(lang, strings.TrimSpace(s.Address+", "+s.Municipality)) + "\n")
	}
	b.WriteString(hoursLine(texts, lang, s, now) + "\n")
	if h, err := s.Schedule(); err == nil && !h.Always {
		var week [7][]locales.ClockRange
		for d, ranges := range h.Week {
			for _, r := range ranges {
				week[d] = append(week[d], locales.ClockRange{Start: r.Start, End: r.End})
			}
		}
		for _, line := range texts.WeekSchedule(lang, week) {
			b.WriteString("🗓 " + texts.Isolate(lang, line) + "\n")
		}
	}
	if s.Phone != "" {
		b.WriteString("📞 " + texts.Isolate(lang, s.Phone) + "\n")
	}
	if s.Website != "" {
		b.WriteString("🔗 " + texts.Isolate(lang, s.Website) + "\n")
	}
	if d, translated := s.Description(lang); d != "" {
		b.WriteString("\n")
		if !translated {
			b.WriteString(texts.Text(lang, "data.in_italian", nil) + "\n")
		}
		b.WriteString(d + "\n")
	}
	if s.Sample {
		b.WriteString("\n⚠️ " + texts.Text(lang, "directory.sample", nil))
	}
	return strings.TrimSpace(b.String())
}
