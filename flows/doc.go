// Package flows decides what Presidio answers. At this stage it holds the
// welcome: /start greets the person in their language (matched from
// Telegram's language_code, or chosen from a picker that shows each
// language in its own name) and /language changes it at any time. The flow
// engine and the orientation content grow here.
package flows
