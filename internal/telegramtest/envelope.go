package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// apiError is a Bot API error answer. code is both error_code and the HTTP
// status.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.code, e.desc) }

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

func forbidden(desc string) *apiError {
	return &apiError{code: http.StatusForbidden, desc: "Forbidden: " + desc}
}

func tooManyRequests(retryAfter int) *apiError {
	return &apiError{
		code:       http.StatusTooManyRequests,
		desc:       "Too Many Requests: retry after " + strconv.Itoa(retryAfter),
		retryAfter: retryAfter,
	}
}

var (
	errChatNotFound   = badRequest("chat not found")
	errThreadNotFound = badRequest("message thread not found")
	errTopicClosed    = badRequest("TOPIC_CLOSED")
)

type okEnvelope struct {
	OK     bool `json:"ok"`
	Result any  `json:"result"`
}

type errParameters struct {
	RetryAfter int `json:"retry_after"`
}

type errEnvelope struct {
	OK          bool           `json:"ok"`
	ErrorCode   int            `json:"error_code"`
	Description string         `json:"description"`
	Parameters  *errParameters `json:"parameters,omitempty"`
}

func writeResult(w http.ResponseWriter, result any) {
	body, err := json.Marshal(okEnvelope{OK: true, Result: result})
	if err != nil {
		writeError(w, &apiError{code: http.StatusInternalServerError,
			desc: "Internal Server Error: telegramtest cannot encode result: " + err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, e *apiError) {
	env := errEnvelope{ErrorCode: e.code, Description: e.desc}
	if e.code == http.StatusTooManyRequests {
		env.Parameters = &errParameters{RetryAfter: e.retryAfter}
	}
	body, _ := json.Marshal(env)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.code)
	_, _ = w.Write(body)
}
