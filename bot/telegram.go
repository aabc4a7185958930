package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/prils-lazio/presidio/internal/chat"
)

// telegram sends chat.Outgoing through go-telegram/bot.
type telegram struct {
	api *tg.Bot
}

func newTelegram(apiURL, token string, client *http.Client) (*telegram, error) {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	api, err := tg.New(token,
		tg.WithServerURL(strings.TrimRight(apiURL, "/")),
		tg.WithSkipGetMe(),
		tg.WithHTTPClient(30*time.Second, client),
		tg.WithErrorsHandler(func(error) {}),
	)
	if err != nil {
		return nil, err
	}
	return &telegram{api: api}, nil
}

// send performs one Bot API call for out and returns Telegram's message id.
func (t *telegram) send(ctx context.Context, out chat.Outgoing) (int, error) {
	if out.CallbackID != "" {
		// Stops the button's spinner; a query older than a few seconds can
		// no longer be answered, which is harmless.
		_, _ = t.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: out.CallbackID})
	}
	var (
		m   *models.Message
		err error
	)
	switch {
	case out.CopyOf != nil:
		var id *models.MessageID
		id, err = t.api.CopyMessage(ctx, &tg.CopyMessageParams{
			ChatID: out.ChatID, MessageThreadID: out.ThreadID,
			FromChatID: out.CopyOf.ChatID, MessageID: out.CopyOf.MessageID,
			ReplyMarkup: markup(out),
		})
		if err != nil {
			return 0, err
		}
		return id.ID, nil
	case out.Venue != nil:
		m, err = t.api.SendVenue(ctx, &tg.SendVenueParams{
			ChatID: out.ChatID, MessageThreadID: out.ThreadID,
			Latitude: out.Venue.Latitude, Longitude: out.Venue.Longitude,
			Title: out.Venue.Title, Address: out.Venue.Address, ReplyMarkup: markup(out),
		})
	case out.Location != nil:
		m, err = t.api.SendLocation(ctx, &tg.SendLocationParams{
			ChatID: out.ChatID, MessageThreadID: out.ThreadID,
			Latitude: out.Location.Latitude, Longitude: out.Location.Longitude, ReplyMarkup: markup(out),
		})
	case out.Document != nil:
		m, err = t.api.SendDocument(ctx, &tg.SendDocumentParams{
			ChatID: out.ChatID, MessageThreadID: out.ThreadID, Caption: out.Text, ReplyMarkup: markup(out),
			Document: &models.InputFileUpload{Filename: out.Document.Name, Data: bytes.NewReader(out.Document.Data)},
		})
	case out.FileID != "":
		m, err = t.sendMedia(ctx, out)
	default:
		p := &tg.SendMessageParams{
			ChatID: out.ChatID, MessageThreadID: out.ThreadID, Text: out.Text,
			Entities: wireEntities(out.Entities), ReplyMarkup: markup(out),
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
		}
		if out.ReplyTo != 0 {
			p.ReplyParameters = &models.ReplyParameters{MessageID: out.ReplyTo, AllowSendingWithoutReply: true}
		}
		m, err = t.api.SendMessage(ctx, p)
	}
	if err != nil {
		return 0, err
	}
	return m.ID, nil
}

func (t *telegram) sendMedia(ctx context.Context, out chat.Outgoing) (*models.Message, error) {
	file := &models.InputFileString{Data: out.FileID}
	rm := markup(out)
	switch out.MediaType {
	case "photo":
		return t.api.SendPhoto(ctx, &tg.SendPhotoParams{ChatID: out.ChatID, MessageThreadID: out.ThreadID, Photo: file, Caption: out.Text, ReplyMarkup: rm})
	case "voice":
		return t.api.SendVoice(ctx, &tg.SendVoiceParams{ChatID: out.ChatID, MessageThreadID: out.ThreadID, Voice: file, Caption: out.Text, ReplyMarkup: rm})
	case "video":
		return t.api.SendVideo(ctx, &tg.SendVideoParams{ChatID: out.ChatID, MessageThreadID: out.ThreadID, Video: file, Caption: out.Text, ReplyMarkup: rm})
	case "audio":
		return t.api.SendAudio(ctx, &tg.SendAudioParams{ChatID: out.ChatID, MessageThreadID: out.ThreadID, Audio: file, Caption: out.Text, ReplyMarkup: rm})
	default:
		return t.api.SendDocument(ctx, &tg.SendDocumentParams{ChatID: out.ChatID, MessageThreadID: out.ThreadID, Document: file, Caption: out.Text, ReplyMarkup: rm})
	}
}

// wireEntities is the inverse of entities (update.go).
func wireEntities(es []chat.Entity) []models.MessageEntity {
	var out []models.MessageEntity
	for _, e := range es {
		me := models.MessageEntity{Type: models.MessageEntityType(e.Type), Offset: e.Offset, Length: e.Length, URL: e.URL, Language: e.Language, CustomEmojiID: e.CustomEmojiID}
		if e.UserID != 0 {
			me.User = &models.User{ID: e.UserID}
		}
		out = append(out, me)
	}
	return out
}

func markup(out chat.Outgoing) models.ReplyMarkup {
	switch {
	case len(out.Buttons) > 0:
		rows := make([][]models.InlineKeyboardButton, len(out.Buttons))
		for i, row := range out.Buttons {
			for _, b := range row {
				rows[i] = append(rows[i], models.InlineKeyboardButton{Text: b.Text, CallbackData: b.Data, URL: b.URL})
			}
		}
		return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
	case len(out.Keyboard) > 0:
		rows := make([][]models.KeyboardButton, len(out.Keyboard))
		for i, row := range out.Keyboard {
			for _, b := range row {
				rows[i] = append(rows[i], models.KeyboardButton{Text: b.Text, RequestContact: b.RequestContact, RequestLocation: b.RequestLocation})
			}
		}
		return &models.ReplyKeyboardMarkup{Keyboard: rows, ResizeKeyboard: true, OneTimeKeyboard: true}
	case out.RemoveKeyboard:
		return &models.ReplyKeyboardRemove{RemoveKeyboard: true}
	}
	return nil
}

// sendError classifies a failed Bot API call.
type sendError int

const (
	errTransient   sendError = iota // 5xx, network: retry with backoff
	errRateLimited                  // 429: wait retry_after, not less
	errBlocked                      // 403: the person blocked the bot
	errPermanent                    // 400: this message can never be sent
)

func classify(err error) (kind sendError, retryAfter time.Duration) {
	var tooMany *tg.TooManyRequestsError
	switch {
	case errors.As(err, &tooMany):
		ra := time.Duration(tooMany.RetryAfter) * time.Second
		if ra <= 0 {
			ra = time.Second
		}
		return errRateLimited, ra
	case errors.Is(err, tg.ErrorForbidden):
		return errBlocked, 0
	case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorNotFound):
		return errPermanent, 0
	}
	return errTransient, 0
}

// describe turns a send error into a short reason for the outbox record,
// without the token (the library already redacts it from URLs).
func describe(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300]
	}
	return fmt.Sprint(s)
}
