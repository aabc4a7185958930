// Package bot is Presidio's Telegram adapter and runtime: it receives updates
// (long polling or webhook) into a persisted inbox, runs them through one
// ordered lane per chat, and sends everything through one rate-limited,
// retrying sender fed by a persisted outbox.
//
// The guarantees, each tested against the Bot API emulator in
// internal/telegramtest:
//   - an update counts as received only once it is in the inbox; a second
//     delivery of the same update_id has no effect;
//   - updates of one lane (a private chat, or a topic of the operators'
//     group) are handled one at a time in update_id order; lanes run in
//     parallel;
//   - the effects of an update (session and messages to send) are persisted
//     before the update is marked done, with ids derived from the update, so
//     a crash at any point followed by a restart applies each update once;
//   - a message leaves the outbox only when Telegram accepted it, refused it
//     for good, or the person blocked the bot;
//   - a person's texts waiting for the same case topic may travel as one
//     group message (coalesce.go); each keeps its own outbox entry, whose
//     outcome is that message, recorded together.
//
// Telegram offers no idempotency key for sends: a crash in the instant
// between Telegram accepting a message and the outbox recording it sends
// that one message again after the restart (at-least-once delivery). The
// window is one HTTP round trip per in-flight message.
package bot
