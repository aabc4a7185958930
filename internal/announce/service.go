package announce

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
)

// colAnnouncements holds one Announcement per document (insert only).
const colAnnouncements = "announcements"

// chunk is how many outbox entries go to Enqueue at once.
const chunk = 500

// Texts gives localized texts (locales.Catalog).
type Texts interface {
	Text(lang, id string, data map[string]any) string
}

// Service composes, queues and reports announcements.
type Service struct {
	Store   *store.Store
	Courses *courses.Courses
	Texts   Texts
	// Enqueue persists outbox entries and hands them to the sender
	// (bot.Runtime.Enqueue).
	Enqueue func(ctx context.Context, entries []store.OutboxEntry) error
}

// Recipient is one person an announcement goes to.
type Recipient struct {
	ChatID int64
	Lang   string
}

// Validate checks a (see Announcement.Validate) and that a school's course
// belongs to its site.
func (s *Service) Validate(ctx context.Context, a *Announcement) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := s.checkLength(*a); err != nil {
		return err
	}
	if a.Audience.Course == "" {
		return nil
	}
	co, err := s.Courses.Get(ctx, a.Audience.Course)
	if err != nil {
		return err
	}
	if a.Role == RoleSchool && co.Site != a.Site {
		return fmt.Errorf("%w: course %s is not of your site", ErrForbidden, co.ID)
	}
	if a.Audience.Site != "" && co.Site != a.Audience.Site {
		return fmt.Errorf("announce: course %s is not of site %s", co.ID, a.Audience.Site)
	}
	return nil
}

// Audience returns who would receive a now, deduplicated by chat id and
// sorted by it: people who blocked the bot, did not consent or stopped
// announcements are left out (skipped says how many: of a course's or a
// waiting list's people, all those; of a news audience, which is only
// ever people who consented, those who blocked the bot).
//
// Its cost follows the audience, never the people stored: a course's
// learners are looked up one by one (store.ReachableAmong), a news
// audience reads the store's list of people who may be sent news
// (store.EachReachable).
func (s *Service) Audience(ctx context.Context, a Announcement) ([]Recipient, error) {
	r, _, err := s.audience(ctx, a)
	return r, err
}

func (s *Service) audience(ctx context.Context, a Announcement) (rs []Recipient, skipped int, err error) {
	aud := a.Audience
	if aud.Kind == KindNews {
		list, blocked, err := s.Store.EachReachable(ctx, store.ReachFilter{Lang: aud.Lang, Site: aud.HelpPoint, Topic: aud.Topic})
		if err != nil {
			return nil, 0, err
		}
		seen := map[int64]bool{}
		for _, p := range list {
			if p.ChatID > 0 && !seen[p.ChatID] {
				seen[p.ChatID] = true
				rs = append(rs, Recipient{ChatID: p.ChatID, Lang: p.Lang})
			}
		}
		sortRecipients(rs)
		return rs, blocked, nil
	}
	// The other audiences are lists of chats (with the language each gave
	// when enrolling); only those of them who may be sent news are looked
	// up, one by one.
	var chats []Recipient
	switch aud.Kind {
	case KindCourse, KindSite:
		ids := []string{aud.Course}
		if aud.Kind == KindSite {
			if ids, err = s.siteCourses(ctx, aud.Site); err != nil {
				return nil, 0, err
			}
		}
		for _, id := range ids {
			es, err := s.Courses.Enrolments(ctx, id)
			if err != nil {
				return nil, 0, err
			}
			for _, e := range es {
				chats = append(chats, Recipient{ChatID: e.ChatID, Lang: e.Language})
			}
		}
	case KindWaiting:
		ids := []string{aud.Course}
		if aud.Course == "" {
			if ids, err = s.siteCourses(ctx, aud.Site); err != nil {
				return nil, 0, err
			}
		}
		for _, id := range ids {
			ws, err := s.waiting(ctx, id)
			if err != nil {
				return nil, 0, err
			}
			for _, w := range ws {
				chats = append(chats, Recipient{ChatID: w.ChatID, Lang: w.Lang})
			}
		}
	default:
		return nil, 0, fmt.Errorf("announce: unknown audience %q", aud.Kind)
	}
	seen := map[int64]bool{}
	var unique []Recipient
	var ids []int64
	for _, c := range chats {
		if c.ChatID > 0 && !seen[c.ChatID] {
			seen[c.ChatID] = true
			unique = append(unique, c)
			ids = append(ids, c.ChatID)
		}
	}
	reachable, err := s.Store.ReachableAmong(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	for _, c := range unique {
		p, ok := reachable[c.ChatID]
		if !ok {
			skipped++
			continue
		}
		if p.Lang != "" {
			c.Lang = p.Lang
		}
		rs = append(rs, c)
	}
	sortRecipients(rs)
	return rs, skipped, nil
}

func sortRecipients(rs []Recipient) {
	slices.SortFunc(rs, func(x, y Recipient) int { return int(min(max(x.ChatID-y.ChatID, -1), 1)) })
}

func (s *Service) siteCourses(ctx context.Context, site string) ([]string, error) {
	list, err := s.Courses.ListBySite(ctx, site)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	return ids, nil
}

// waitDoc is the part of a course's places document this package reads.
type waitDoc struct {
	Kind   string `bson:"kind"`
	ChatID int64  `bson:"chat_id"`
	Lang   string `bson:"lang"`
	Seq    int64  `bson:"seq"`
}

// waiting returns the people on a course's waiting list who hold no place
// (nor offer) in it. The courses package exports no such list, so this
// reads its per-course collection "course_places.<course>" (kind
// "waiting") directly; courses.WaitingList would be the better home.
func (s *Service) waiting(ctx context.Context, courseID string) ([]waitDoc, error) {
	cur, err := s.Store.Collection("course_places."+courseID).Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: "kind", Value: 1}, {Key: "chat_id", Value: 1}, {Key: "lang", Value: 1}, {Key: "seq", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("announce: reading the waiting list of %s: %w", courseID, err)
	}
	var docs []waitDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("announce: reading the waiting list of %s: %w", courseID, err)
	}
	holders := map[int64]bool{}
	for _, d := range docs {
		if d.Kind != "waiting" {
			holders[d.ChatID] = true
		}
	}
	var out []waitDoc
	for _, d := range docs {
		if d.Kind == "waiting" && !holders[d.ChatID] {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(x, y waitDoc) int { return int(min(max(x.Seq-y.Seq, -1), 1)) })
	return out, nil
}

// TextFor returns the announcement's text in lang: the translation, the
// template in that language, or the Italian text after the localized line
// saying it is an announcement from the school.
func (s *Service) TextFor(a Announcement, lang string) string {
	if a.Template != "" {
		data := map[string]any{}
		for _, k := range TemplateParams {
			data[k] = a.Params[k]
		}
		data["Date"] = s.date(lang, a.Params["Date"])
		return strings.TrimSpace(s.Texts.Text(lang, "announce.template."+a.Template, data))
	}
	if t := strings.TrimSpace(a.Text[lang]); t != "" {
		return t
	}
	it := strings.TrimSpace(a.Text[Italian])
	if lang == Italian || lang == "" {
		return it
	}
	return s.Texts.Text(lang, FromSchoolID, nil) + "\n\n" + it
}

// dateTexts writes dates in a language (locales.Catalog does).
type dateTexts interface {
	Date(lang string, t time.Time) string
	DateTime(lang string, t time.Time) string
}

// dateLayouts are the ways a template's Date param may be written; it is
// then rendered in the recipient's language ("10 marzo 2026", "March 10,
// 2026", "١٠ مارس ٢٠٢٦"). Any other text is passed as written.
var dateLayouts = []struct {
	layout   string
	withTime bool
}{
	{"2006-01-02", false}, {"2/1/2006", false}, {"2006-01-02 15:04", true}, {"2/1/2006 15:04", true}, {"2006-01-02T15:04", true},
}

// date renders a template's Date param in lang when it is a date (see
// dateLayouts) and the Texts can write dates; otherwise it returns v.
func (s *Service) date(lang, v string) string {
	dt, ok := s.Texts.(dateTexts)
	v = strings.TrimSpace(v)
	if !ok || v == "" {
		return v
	}
	for _, l := range dateLayouts {
		t, err := time.Parse(l.layout, v)
		if err != nil {
			continue
		}
		if l.withTime {
			return dt.DateTime(lang, t)
		}
		return dt.Date(lang, t)
	}
	return v
}

// checkLength makes sure that the text each recipient would get, with
// everything added (the "from the school" line, a template's fields), fits
// in one Telegram message in every language: an announcement that passes
// the preview is never cut or refused at send time.
func (s *Service) checkLength(a Announcement) error {
	langs := []string{Italian}
	for lang := range a.Text {
		langs = append(langs, lang)
	}
	if all, ok := s.Texts.(interface{ LanguageTags() []string }); ok {
		langs = append(langs, all.LanguageTags()...)
	}
	slices.Sort(langs)
	longest, where := 0, ""
	for _, lang := range slices.Compact(langs) {
		if n := chat.TextLength(s.TextFor(a, lang)); n > longest {
			longest, where = n, lang
		}
	}
	if longest > chat.MaxTextLength {
		return fmt.Errorf("announce: the text is too long: %d characters in %s with everything added, at most %d fit in one message", longest, where, chat.MaxTextLength)
	}
	return nil
}

// EntryID is the outbox id of an announcement to one chat.
func EntryID(announcementID string, chatID int64) string {
	return "ann:" + announcementID + ":" + strconv.FormatInt(chatID, 10)
}

// Send validates and saves the announcement, then queues it for its
// audience, Enqueue-ing in chunks. It returns how many people it was queued
// for. Calling it again with the same ID (a retry after an error or a
// crash, a second click) queues nobody twice: outbox ids are per
// announcement and chat.
func (s *Service) Send(ctx context.Context, a Announcement) (int, error) {
	if a.ID == "" {
		a.ID = NewID()
	}
	if err := s.Validate(ctx, &a); err != nil {
		return 0, err
	}
	rs, skipped, err := s.audience(ctx, a)
	if err != nil {
		return 0, err
	}
	if a.Created.IsZero() {
		a.Created = time.Now().UTC().Truncate(time.Millisecond)
	}
	a.Recipients, a.Skipped = len(rs), skipped
	if _, err := s.Store.Collection(colAnnouncements).InsertOne(ctx, a); err != nil && !store.IsDuplicate(err) {
		return 0, fmt.Errorf("announce: saving: %w", err)
	}
	entries := make([]store.OutboxEntry, 0, min(chunk, len(rs)))
	texts := map[string]string{}
	buttons := map[string]string{}
	for i, r := range rs {
		t, ok := texts[r.Lang]
		if !ok {
			t = s.TextFor(a, r.Lang)
			texts[r.Lang] = t
			buttons[r.Lang] = "🔕 " + s.Texts.Text(r.Lang, NewsOffID, nil)
		}
		entries = append(entries, store.OutboxEntry{
			ID: EntryID(a.ID, r.ChatID),
			Msg: chat.Outgoing{
				ChatID: r.ChatID, Text: t, Priority: chat.PriorityBulk,
				Buttons: [][]chat.Button{{{Text: buttons[r.Lang], Data: NewsOffData}}},
			},
		})
		if len(entries) == chunk || i == len(rs)-1 {
			if err := s.Enqueue(ctx, entries); err != nil {
				return i + 1 - len(entries), fmt.Errorf("announce: queueing: %w", err)
			}
			entries = entries[:0]
		}
	}
	return len(rs), nil
}

// Get returns one announcement.
func (s *Service) Get(ctx context.Context, id string) (Announcement, error) {
	var a Announcement
	err := s.Store.Collection(colAnnouncements).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&a)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return a, fmt.Errorf("announce: %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("announce: reading %s: %w", id, err)
	}
	return a, nil
}

// List returns the announcements a user may see, newest first: a
// coordinator sees all, a school those of its site.
func (s *Service) List(ctx context.Context, role, site string) ([]Announcement, error) {
	filter := bson.D{}
	switch role {
	case RoleCoordinator:
	case RoleSchool:
		if site == "" {
			return nil, ErrForbidden
		}
		filter = bson.D{{Key: "site", Value: site}, {Key: "role", Value: RoleSchool}}
	default:
		return nil, ErrForbidden
	}
	cur, err := s.Store.Collection(colAnnouncements).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "created", Value: -1}}))
	if err != nil {
		return nil, fmt.Errorf("announce: listing: %w", err)
	}
	var out []Announcement
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("announce: listing: %w", err)
	}
	return out, nil
}

// CanSee reports whether a user may see an announcement's report.
func CanSee(a Announcement, role, site string) bool {
	return role == RoleCoordinator || role == RoleSchool && site != "" && a.Role == RoleSchool && a.Site == site
}

// Report is an announcement's delivery so far.
type Report struct {
	// Total is how many messages were queued; Pending = Total - Sent -
	// Failed - Blocked.
	Total, Sent, Failed, Blocked, Pending int
	// Skipped people of the audience were not queued (blocked the bot
	// before, no consent, announcements stopped).
	Skipped int
	// Errors counts failures by Telegram's reason.
	Errors map[string]int
}

// Report reads an announcement's delivery from the outbox and its
// outcomes.
func (s *Service) Report(ctx context.Context, announcementID string) (Report, error) {
	a, err := s.Get(ctx, announcementID)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Skipped: a.Skipped, Errors: map[string]int{}}
	filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta("ann:"+announcementID+":")}}}}
	cur, err := s.Store.Collection("outbox").Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return Report{}, fmt.Errorf("announce: reading the outbox: %w", err)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return Report{}, fmt.Errorf("announce: reading the outbox: %w", err)
	}
	rep.Total = len(ids)
	cur, err = s.Store.Collection("outbox_results").Find(ctx, filter)
	if err != nil {
		return Report{}, fmt.Errorf("announce: reading send outcomes: %w", err)
	}
	var results []store.OutboxResult
	if err := cur.All(ctx, &results); err != nil {
		return Report{}, fmt.Errorf("announce: reading send outcomes: %w", err)
	}
	for _, r := range results {
		switch r.Status {
		case store.OutboxSent:
			rep.Sent++
		case store.OutboxBlocked:
			rep.Blocked++
		default:
			rep.Failed++
			reason := r.Error
			if reason == "" {
				reason = r.Status
			}
			rep.Errors[reason]++
		}
	}
	rep.Pending = max(0, rep.Total-rep.Sent-rep.Failed-rep.Blocked)
	return rep, nil
}
