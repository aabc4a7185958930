// Package chat is the channel-neutral model of a conversation: what a person
// sent (Incoming) and what the bot answers (Outgoing). The Telegram adapter in
// bot/ turns wire updates into Incoming and Outgoing into Bot API calls, so
// flows and domain packages never see Telegram types.
package chat
