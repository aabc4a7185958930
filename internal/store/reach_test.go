package store_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/prils-lazio/presidio/internal/store"
	"github.com/prils-lazio/presidio/internal/store/storetest"
)

// flowState is a session's flow state with the fields news depends on.
func flowState(t testing.TB, consent, news, site, topic string) bson.Raw {
	t.Helper()
	d := bson.D{{Key: "flow", Value: "permits"}}
	for _, kv := range []bson.E{{Key: "consent", Value: consent}, {Key: "news", Value: news}, {Key: "site", Value: site}} {
		if kv.Value != "" {
			d = append(d, kv)
		}
	}
	if topic != "" {
		d = append(d, bson.E{Key: "vars", Value: bson.D{{Key: "topic", Value: topic}}})
	}
	raw, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func person(t testing.TB, chatID int64, lang, consent, news, site string) *store.Session {
	return &store.Session{Lane: strconv.FormatInt(chatID, 10), ChatID: chatID, Lang: lang, State: flowState(t, consent, news, site, "")}
}

func reachableIDs(t *testing.T, st *store.Store, f store.ReachFilter) (ids []int64, blocked int) {
	t.Helper()
	list, blocked, err := st.EachReachable(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		ids = append(ids, r.ChatID)
	}
	slices.Sort(ids)
	return ids, blocked
}

func among(t *testing.T, st *store.Store, ids ...int64) map[int64]store.Reachable {
	t.Helper()
	m, err := st.ReachableAmong(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWhoMayBeSentNewsFollowsTheSessions(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	topicLane := &store.Session{Lane: "-1001/7", ChatID: -1001, State: flowState(t, "yes", "", "", "")}
	if err := st.SaveSessions(ctx, []*store.Session{
		person(t, 1, "ar", "yes", "", "hp-roma"),
		person(t, 2, "en", "yes", "off", "hp-roma"), // stopped news
		person(t, 3, "uk", "no", "", "hp-roma"),     // no consent
		person(t, 4, "", "", "", ""),                // never answered
		person(t, 5, "fr", "yes", "", "hp-latina"),
		topicLane, // an operators' topic, not a person
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := reachableIDs(t, st, store.ReachFilter{}); !slices.Equal(got, []int64{1, 5}) {
		t.Fatalf("reachable %v, want [1 5]", got)
	}
	if got, _ := reachableIDs(t, st, store.ReachFilter{Site: "hp-latina"}); !slices.Equal(got, []int64{5}) {
		t.Fatalf("reachable of hp-latina %v, want [5]", got)
	}
	if got, _ := reachableIDs(t, st, store.ReachFilter{Lang: "ar"}); !slices.Equal(got, []int64{1}) {
		t.Fatalf("reachable speaking ar %v, want [1]", got)
	}
	if m := among(t, st, 1, 2, 3, 4, 5, 6); len(m) != 2 || m[1].Lang != "ar" || m[5].Site != "hp-latina" {
		t.Fatalf("reachable among 1..6: %+v", m)
	}

	// Person 1 stops news, person 2 starts again and changes language.
	p1, err := st.LoadSession(ctx, "1", 1)
	if err != nil {
		t.Fatal(err)
	}
	p1.State = flowState(t, "yes", "off", "hp-roma", "")
	p2, err := st.LoadSession(ctx, "2", 2)
	if err != nil {
		t.Fatal(err)
	}
	p2.Lang, p2.State = "it", flowState(t, "yes", "", "hp-roma", "work")
	if err := st.SaveSessions(ctx, []*store.Session{p1, p2}); err != nil {
		t.Fatal(err)
	}
	m := among(t, st, 1, 2)
	if _, ok := m[1]; ok || m[2].Lang != "it" || m[2].Topic != "work" {
		t.Fatalf("after the changes: %+v", m)
	}

	// Blocking leaves a person out and counts them; unblocking brings them back.
	if err := st.SetBlocked(ctx, "5", 5, true); err != nil {
		t.Fatal(err)
	}
	if got, blocked := reachableIDs(t, st, store.ReachFilter{}); !slices.Equal(got, []int64{2}) || blocked != 1 {
		t.Fatalf("with 5 blocked: %v (blocked %d), want [2] (1)", got, blocked)
	}
	if _, ok := among(t, st, 5)[5]; ok {
		t.Fatal("a person who blocked the bot is reachable")
	}
	if err := st.SetBlocked(ctx, "5", 5, false); err != nil {
		t.Fatal(err)
	}
	if _, ok := among(t, st, 5)[5]; !ok {
		t.Fatal("a person who unblocked the bot is not reachable")
	}
	// Blocking somebody who may not be sent news lists nobody.
	if err := st.SetBlocked(ctx, "3", 3, true); err != nil {
		t.Fatal(err)
	}
	if got, blocked := reachableIDs(t, st, store.ReachFilter{}); !slices.Equal(got, []int64{2, 5}) || blocked != 0 {
		t.Fatalf("after blocking 3: %v (blocked %d), want [2 5] (0)", got, blocked)
	}

	// Erasing the session erases the person from the list.
	if err := st.DeleteSession(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	if got, _ := reachableIDs(t, st, store.ReachFilter{}); !slices.Equal(got, []int64{5}) {
		t.Fatalf("after erasing 2: %v, want [5]", got)
	}
	n, err := st.Collection("news_reach").CountDocuments(ctx, bson.D{{Key: "_id", Value: "2"}})
	if err != nil || n != 0 {
		t.Fatalf("erased person still listed: %d %v", n, err)
	}
}

// A save that changes nothing news depends on (the common case: a person
// moving through the menus) costs no extra round trip.
func TestSavingASessionWritesNewsListOnlyWhenItChanges(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	if err := st.SaveSessions(ctx, []*store.Session{person(t, 1, "ar", "yes", "", "hp-roma")}); err != nil {
		t.Fatal(err)
	}
	sess, err := st.LoadSession(ctx, "1", 1)
	if err != nil {
		t.Fatal(err)
	}
	saves := func(change func(*store.Session)) uint64 {
		t.Helper()
		work := *sess // as the runtime does: the handler works on a copy
		change(&work)
		before := st.Commands()
		if err := st.SaveSessions(ctx, []*store.Session{&work}); err != nil {
			t.Fatal(err)
		}
		*sess = work
		return st.Commands() - before
	}
	if n := saves(func(s *store.Session) { s.State = flowState(t, "yes", "", "hp-roma", "")[:] }); n != 1 {
		t.Errorf("an unchanged save took %d commands, want 1", n)
	}
	if n := saves(func(s *store.Session) { s.Lang = "en" }); n != 2 {
		t.Errorf("a language change took %d commands, want 2 (the list and the session)", n)
	}
	if n := saves(func(s *store.Session) { s.Applied = append(s.Applied, 42) }); n != 1 {
		t.Errorf("a save after the change took %d commands, want 1", n)
	}
	if m := among(t, st, 1); m[1].Lang != "en" {
		t.Fatalf("language in the list %q, want en", m[1].Lang)
	}
}

// A data folder from before the list existed gets it built once, at start,
// from the sessions it holds.
func TestNewsListIsBuiltOnceForSessionsFromBefore(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st := storetest.OpenAt(t, dir)
	if err := st.SaveSessions(ctx, []*store.Session{
		person(t, 1, "ar", "yes", "", "hp-roma"),
		person(t, 2, "en", "yes", "off", ""),
		person(t, 3, "uk", "yes", "", "hp-latina"),
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetBlocked(ctx, "3", 3, true); err != nil {
		t.Fatal(err)
	}
	// What an older Presidio left: sessions, and neither the list nor the
	// mark that it was built.
	if err := st.Collection("news_reach").Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Collection("runtime").DeleteOne(ctx, bson.D{{Key: "_id", Value: "news_reach_built"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := reachableIDs(t, st, store.ReachFilter{}); len(got) != 0 {
		t.Fatalf("list not emptied: %v", got)
	}
	if err := st.Close(ctx); err != nil {
		t.Fatal(err)
	}

	st = storetest.OpenAt(t, dir)
	got, blocked := reachableIDs(t, st, store.ReachFilter{})
	if !slices.Equal(got, []int64{1}) || blocked != 1 {
		t.Fatalf("after the start: %v (blocked %d), want [1] (1)", got, blocked)
	}
	if m := among(t, st, 1); m[1].Site != "hp-roma" || m[1].Lang != "ar" {
		t.Fatalf("person 1 listed as %+v", m[1])
	}
	// Built once: a person removed from the list by hand stays removed at
	// the next start (the sessions are not read again).
	if _, err := st.Collection("news_reach").DeleteOne(ctx, bson.D{{Key: "_id", Value: "1"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st = storetest.OpenAt(t, dir)
	if got, _ := reachableIDs(t, st, store.ReachFilter{}); len(got) != 0 {
		t.Fatalf("the list was built again at the second start: %v", got)
	}
}
