// Package telegramtest is a Telegram Bot API emulator for tests, the sandbox
// web page and benchmarks.
//
// New starts a real HTTP server on 127.0.0.1 (random port). A bot client
// (github.com/go-telegram/bot, or anything speaking the Bot API) is pointed
// at Server.URL and calls <URL>/bot<token>/<method> as it would call
// api.telegram.org. Answers use the Bot API envelope and the
// github.com/go-telegram/bot/models types.
//
// The Go API acts as the other side of the conversation:
//   - people: SendText, SendMessageUpdate, PressButton, ClickButton,
//     SendContact, SendLocation, SendGroupText, UserBlocksBot, Inject queue
//     updates that the bot receives through getUpdates or, once setWebhook
//     was called, as webhook POSTs;
//   - observation: Sent, AllSent, WaitSent, OnSent, CallbackAnswers,
//     Commands, Topics, Message, Deleted report what the bot did;
//   - adversity: Block, FailNext, SetLatency and the flood limits
//     (Options.FloodLimits, SetFloodLimits) make Telegram misbehave the way
//     it does in production.
//
// All methods of Server are safe for concurrent use.
//
// # Protocol
//
// Requests may be GET or POST, with parameters in the query string and/or a
// multipart/form-data, application/x-www-form-urlencoded or
// application/json body. Nested objects (reply_markup, entities,
// reply_parameters…) may be JSON text in a field (what go-telegram/bot
// sends) or, in a JSON body, plain JSON. Method names are case insensitive.
//
// Answers are {"ok":true,"result":…} with HTTP 200, or
// {"ok":false,"error_code":N,"description":"…"} with HTTP status N, plus
// "parameters":{"retry_after":S} for 429. A wrong token answers 401
// "Unauthorized"; an unknown method 404 "Not Found: method not found".
//
// # Emulated methods
//
//   - getMe; getUpdates (offset, limit, timeout long poll, allowed_updates;
//     409 while a webhook is set, and 409 for a poll superseded by a newer
//     one); setWebhook, deleteWebhook, getWebhookInfo (see WebhookInfo).
//   - sendMessage, sendPhoto, sendDocument, sendVoice, sendVideo, sendAudio,
//     sendAnimation, sendSticker, sendVideoNote (by file_id or URL string;
//     uploads are refused with 400), sendLocation, sendVenue, sendContact,
//     copyMessage, forwardMessage: each creates a message with the chat's
//     next message_id and is recorded as a Sent.
//   - editMessageText, editMessageCaption, editMessageReplyMarkup (chat_id
//     and message_id only; inline messages are not emulated), deleteMessage.
//   - answerCallbackQuery, sendChatAction, setMyCommands, getMyCommands,
//     deleteMyCommands, getChat, getChatMember, getFile (and the download
//     URL /file/bot<token>/<file_path>).
//   - createForumTopic, editForumTopic, closeForumTopic, reopenForumTopic,
//     deleteForumTopic, in forums registered with CreateForumGroup. The bot
//     is an administrator with can_manage_topics there, so it still posts in
//     closed topics (SetBotTopicRights takes the right away).
//
// Refusals follow Telegram's wording: "Bad Request: chat not found" (also
// for a private chat nobody opened: see AddUser), "message text is empty",
// "message is too long" (over 4096 UTF-16 code units after parse_mode),
// "message caption is too long" (1024), "BUTTON_DATA_INVALID"
// (callback_data over 64 bytes), "text buttons are unallowed in the inline
// keyboard", "can't parse entities: …" (malformed HTML), "message thread not
// found" (unknown or deleted topic), "TOPIC_CLOSED", "message to be replied
// not found", "message to edit not found", "message is not modified: …",
// "query is too old and response timeout expired or query ID is invalid";
// "Forbidden: bot was blocked by the user" (Block); 429 "Too Many Requests:
// retry after N" (SetFloodLimits).
//
// parse_mode HTML is parsed like Telegram (entities are produced, errors
// reported); Markdown and MarkdownV2 are only approximated for length
// checks and never rejected.
package telegramtest
