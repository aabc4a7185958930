// Package signup is the chat side of Italian course sign-up: it lists the
// courses with seats, enrols the person (or puts them on the waiting
// list), shows /mycourses with cancellation, lets people accept a freed
// seat offered to them, and turns offers and reminders into messages in
// the person's language. Seats themselves are internal/courses' claims:
// no overbooking, whatever the concurrency.
package signup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prils-lazio/presidio/internal/chat"
	"github.com/prils-lazio/presidio/internal/courses"
	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/locales"
)

// Texts localizes messages and data (locales.Catalog does): weekdays,
// times and dates are written in the person's language.
type Texts interface {
	Text(lang, id string, data map[string]any) string
	Isolate(lang, s string) string
	Weekdays(lang string, days []time.Weekday) string
	Clock(lang string, minutes int) string
	ClockRanges(lang string, ranges []locales.ClockRange) string
	Date(lang string, t time.Time) string
	DateTime(lang string, t time.Time) string
}

// Service is the sign-up desk.
type Service struct {
	Courses *courses.Courses
	Texts   Texts
	Now     func() time.Time
	// Observe receives anonymous facts for the observatory (enrolment,
	// waiting list, cancellation, by course level and site); nil: none.
	Observe func(ctx context.Context, kind, lang, topic, site, bucket string, value int, chatID int64)
	// Enqueue queues messages durably (the bot's runtime does): the offers
	// a cancellation or an erasure makes, so the next person is told at
	// once (Announce), and the notices of retired courses (tellRetired).
	// nil: offers wait for the scheduler's next run, and the people of a
	// retired course are not told.
	Enqueue Enqueue
}

func (s *Service) observe(ctx context.Context, kind string, c courses.Course, lang string, chatID int64) {
	if s.Observe != nil {
		s.Observe(ctx, kind, lang, "italian", c.Site, strings.ToLower(string(c.Level)), 0, chatID)
	}
}

// Callback data of course buttons.
const (
	dataPick    = "a:c:" // choose a course (input of the waiting pick action)
	dataCancel  = "cc:"  // ask to cancel
	dataConfirm = "cy:"  // confirm the cancellation
	dataKeep    = "ck:"  // do not cancel after all
	dataAccept  = "co:"  // accept an offered seat
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// open lists the courses that have not ended yet and are not retired,
// soonest first.
func (s *Service) open(ctx context.Context) ([]courses.Course, error) {
	all, err := s.Courses.List(ctx)
	if err != nil {
		return nil, err
	}
	today := s.now().In(rome).Format("2006-01-02")
	var out []courses.Course
	for _, c := range all {
		if c.EndDate >= today && !c.Retired {
			out = append(out, c)
		}
	}
	return out, nil
}

// label is a course button: level, site, days and time, the days and the
// time in the person's language.
func (s *Service) label(lang string, c courses.Course) string {
	return fmt.Sprintf("%s · %s · %s %s", c.Level, c.Site, s.Texts.Weekdays(lang, c.Weekdays), s.Texts.Clock(lang, minutes(c.StartTime)))
}

// minutes reads "HH:MM" (a course's validated time) as minutes since
// midnight.
func minutes(clock string) int {
	t, err := time.Parse("15:04", clock)
	if err != nil {
		return 0
	}
	return t.Hour()*60 + t.Minute()
}

// Pick is the "courses.pick" action: with a course already chosen (a
// course_<id> deep link, or a button) it goes on; otherwise it lists the
// courses and waits for a choice.
func (s *Service) Pick(ctx context.Context, vars map[string]string, input *chat.Incoming, chatID int64, lang string) (out []chat.Outgoing, set map[string]string, wait bool, err error) {
	if input != nil && strings.HasPrefix(input.Data, dataPick) {
		vars = map[string]string{"course": strings.TrimPrefix(input.Data, dataPick)}
	}
	if id := vars["course"]; id != "" {
		c, err := s.Courses.Get(ctx, id)
		if err == nil && !c.Retired {
			return []chat.Outgoing{{ChatID: chatID, Text: s.describe(lang, c)}}, map[string]string{"course": c.ID}, false, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, false, err
		}
	}
	all, err := s.open(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	if len(all) == 0 {
		return []chat.Outgoing{{ChatID: chatID, Text: s.Texts.Text(lang, "courses.none", nil)}}, nil, true, nil
	}
	// The place and level chosen (or suggested by the quiz) narrow the
	// list; when nothing matches, every course is shown with a note.
	var list []courses.Course
	for _, c := range all {
		if (vars["site"] == "" || vars["site"] == "any" || c.Site == vars["site"]) && (vars["level"] == "" || string(c.Level) == vars["level"]) {
			list = append(list, c)
		}
	}
	out = nil
	if vars["level"] != "" {
		out = append(out, chat.Outgoing{ChatID: chatID, Text: s.Texts.Text(lang, "courses.your_level", map[string]any{"Level": s.Texts.Isolate(lang, vars["level"])})})
	}
	if len(list) == 0 {
		out = append(out, chat.Outgoing{ChatID: chatID, Text: s.Texts.Text(lang, "courses.none_matching", nil)})
		list = all
	}
	var rows [][]chat.Button
	for i, c := range list {
		if i == 10 {
			break
		}
		rows = append(rows, []chat.Button{{Text: s.label(lang, c), Data: dataPick + c.ID}})
	}
	return append(out, chat.Outgoing{ChatID: chatID, Text: s.Texts.Text(lang, "courses.choose", nil), Buttons: rows}), nil, true, nil
}

// describe is a course's details in the person's language: days, times
// and dates written for them, the title and notes translated where the
// catalogue has them, else in Italian (notes in Italian are said to be so).
func (s *Service) describe(lang string, c courses.Course) string {
	title, _ := c.TitleIn(lang) // a title is a name: left unmarked when Italian
	text := s.Texts.Text(lang, "courses.details", map[string]any{
		"Title": title, "Level": string(c.Level), "Days": s.Texts.Isolate(lang, s.Texts.Weekdays(lang, c.Weekdays)),
		"Time":  s.Texts.Isolate(lang, s.Texts.ClockRanges(lang, []locales.ClockRange{{Start: minutes(c.StartTime), End: minutes(c.EndTime)}})),
		"Start": s.Texts.Isolate(lang, s.day(lang, c.StartDate)), "End": s.Texts.Isolate(lang, s.day(lang, c.EndDate)),
		"Address": s.Texts.Isolate(lang, c.Address),
	})
	if notes, own := c.NotesIn(lang); notes != "" {
		text += "\n"
		if !own {
			text += s.Texts.Text(lang, "data.in_italian", nil) + " "
		}
		text += notes
	}
	return text
}

// day writes "2026-03-09" as a date in the person's language ("9 marzo
// 2026", "March 9, 2026").
func (s *Service) day(lang, iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return s.Texts.Date(lang, t)
}

// Enrol is the "courses.enrol" action: a seat if there is one, else the
// waiting list; a person already enrolled is told so. The seat is keyed
// by person and course, so a double tap never takes two.
func (s *Service) Enrol(ctx context.Context, vars map[string]string, chatID int64, lang string) ([]chat.Outgoing, error) {
	c, err := s.Courses.Get(ctx, vars["course"])
	if err != nil {
		return nil, err
	}
	if c.Retired {
		return s.retiredClosed(chatID, lang), nil
	}
	person := courses.Person{ChatID: chatID, Name: vars["name"], Phone: vars["phone"], Language: lang}
	_, err = s.Courses.Enrol(ctx, c.ID, person, fmt.Sprintf("%d:%s", chatID, c.ID))
	switch {
	case err == nil:
		s.observe(ctx, "enrolment", c, lang, chatID)
		return s.confirmation(chatID, lang, c), nil
	case errors.Is(err, courses.ErrAlreadyEnrolled):
		return []chat.Outgoing{{ChatID: chatID, RemoveKeyboard: true, Text: s.Texts.Text(lang, "courses.already", nil)}}, nil
	case errors.Is(err, courses.ErrRetired):
		return s.retiredClosed(chatID, lang), nil
	case errors.Is(err, courses.ErrFull):
		pos, err := s.Courses.JoinWaitingList(ctx, c.ID, person)
		if errors.Is(err, courses.ErrRetired) {
			return s.retiredClosed(chatID, lang), nil
		}
		if err != nil {
			return nil, err
		}
		s.observe(ctx, "waiting_list", c, lang, chatID)
		// The phone keyboard of the form is no longer needed.
		return []chat.Outgoing{{ChatID: chatID, RemoveKeyboard: true, Text: s.Texts.Text(lang, "courses.waiting", map[string]any{"Position": pos})}}, nil
	}
	return nil, err
}

// retiredClosed says the course was cancelled and takes no sign-ups.
func (s *Service) retiredClosed(chatID int64, lang string) []chat.Outgoing {
	return []chat.Outgoing{{ChatID: chatID, RemoveKeyboard: true, Text: s.Texts.Text(lang, "courses.retired_closed", nil)}}
}

// confirmation: day, time, address (with a map pin), what to bring, how
// to cancel.
func (s *Service) confirmation(chatID int64, lang string, c courses.Course) []chat.Outgoing {
	out := []chat.Outgoing{{ChatID: chatID, RemoveKeyboard: true,
		Text: s.Texts.Text(lang, "courses.enrolled", nil) + "\n\n" + s.describe(lang, c) + "\n\n" + s.Texts.Text(lang, "courses.how_to_cancel", nil)}}
	if c.HasLocation() {
		title, _ := c.TitleIn(lang)
		out = append(out, chat.Outgoing{ChatID: chatID, Venue: &chat.Venue{Latitude: c.Latitude, Longitude: c.Longitude, Title: title, Address: c.Address}})
	}
	return out
}
