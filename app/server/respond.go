// Package server is Backroom's HTTP kit: the gin engine and its middleware, JSON envelopes,
// page rendering, errors, CSRF, flashes and permission checks. Areas build on it; it knows no
// area.
package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"backroom/models"
	"backroom/views/layout"
)

// envelope is the API's answer shape: {"success": …, "data": …, "error": …}.
type envelope struct {
	Success  bool                `json:"success"`
	Data     any                 `json:"data,omitempty"`
	Error    string              `json:"error,omitempty"`
	Errors   map[string][]string `json:"errors,omitempty"`
	Total    *int64              `json:"total,omitempty"`
	Page     *int                `json:"page,omitempty"`
	PageSize *int                `json:"pageSize,omitempty"`
}

// OK answers 200 with data.
func OK(c *gin.Context, data any) { c.JSON(http.StatusOK, envelope{Success: true, Data: data}) }

// Created answers 201 with data.
func Created(c *gin.Context, data any) {
	c.JSON(http.StatusCreated, envelope{Success: true, Data: data})
}

// Accepted answers 202 with data (work queued as a job).
func Accepted(c *gin.Context, data any) {
	c.JSON(http.StatusAccepted, envelope{Success: true, Data: data})
}

// List answers 200 with one page of items and the paging figures.
func List[T any](c *gin.Context, items []T, total int64, p models.Page) {
	if items == nil {
		items = []T{}
	}
	c.JSON(http.StatusOK, envelope{Success: true, Data: items, Total: &total, Page: &p.Page, PageSize: &p.PageSize})
}

// All answers 200 with a whole, unpaged list as its only page.
func All[T any](c *gin.Context, items []T) {
	List(c, items, int64(len(items)), models.NewPage(1, max(len(items), 1)))
}

// IsAPI reports whether the request is for the JSON API (anything that is not a page; /api/docs,
// the API's reference, is a page).
func IsAPI(c *gin.Context) bool {
	p := c.Request.URL.Path
	return strings.HasPrefix(p, "/api/v1/") || strings.HasPrefix(p, "/ws/") || strings.HasPrefix(p, "/webhooks/")
}

// Status maps an error to its HTTP status: the sentinels of models, 500 for anything else.
func Status(err error) int {
	switch {
	case errors.Is(err, models.ErrValidation):
		return http.StatusUnprocessableEntity
	case errors.Is(err, models.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, models.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, models.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, models.ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, models.ErrBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, models.ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, models.ErrThrottled):
		return http.StatusTooManyRequests
	case errors.Is(err, models.ErrGone):
		return http.StatusGone
	case models.IsInvalidText(err):
		return http.StatusUnprocessableEntity
	case models.IsUnavailable(err):
		// The database is out of reach: not the request's fault and not a bug. A client that is
		// told 401 drops its key and 500 drops the sale; 503 says keep it and send it again.
		return http.StatusServiceUnavailable
	case models.IsConcurrencyFailure(err):
		// PostgreSQL gave up on this transaction because another one touched the same rows
		// (a deadlock it broke, or a serialization failure): nothing was written, and the same
		// request sent again can succeed, so it is a conflict to retry, not a server fault.
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// Message is what a person is told about err: its own message for errors meant for them, a
// generic sentence for everything else (internals are logged, never shown).
func Message(err error) string {
	var e *models.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	if models.IsInvalidText(err) {
		return "Text may not contain a NUL character or bytes that are not UTF-8; remove them and try again"
	}
	switch Status(err) {
	case http.StatusNotFound:
		return "Not found"
	case http.StatusForbidden:
		return "You are not allowed to do that"
	case http.StatusUnauthorized:
		return "Please sign in"
	case http.StatusConflict:
		return "That conflicts with the current state; reload and try again"
	case http.StatusBadRequest:
		return "The request is malformed"
	case http.StatusRequestEntityTooLarge:
		return "The request is too large"
	case http.StatusTooManyRequests:
		return "Too many attempts; wait a few minutes and try again"
	case http.StatusUnprocessableEntity:
		return "Please correct the highlighted fields"
	}
	return "Something went wrong"
}

// Fail is the one error exit of every handler: an API error envelope, or an error page (a flash
// for htmx requests). Server errors are logged once with the request id and never described.
func Fail(c *gin.Context, err error) {
	status := Status(err)
	msg := Message(err)
	switch {
	case status == http.StatusServiceUnavailable:
		Logger(c).Warn("database unavailable", "err", err)
		msg = "Backroom cannot reach its database just now; nothing was changed. Try again in a moment."
		c.Header("Retry-After", "5")
	case status >= 500:
		Logger(c).Error("request failed", "err", err, "status", status)
		msg = "Something went wrong; it has been logged (request " + RequestID(c) + ")"
	}
	if status == http.StatusTooManyRequests {
		c.Header("Retry-After", "60")
	}
	if IsAPI(c) {
		env := envelope{Success: false, Error: msg}
		var e *models.Error
		if errors.As(err, &e) {
			env.Errors = e.Fields
		}
		c.AbortWithStatusJSON(status, env)
		return
	}
	c.Abort()
	if status == http.StatusUnauthorized {
		RedirectToLogin(c)
		return
	}
	if IsHTMX(c) {
		c.Header("HX-Retarget", "#flashes")
		c.Header("HX-Reswap", "innerHTML")
		Render(c, status, layout.Flashes([]layout.Flash{{Kind: "error", Message: msg}}))
		return
	}
	Render(c, status, layout.ErrorPage(PageOf(c, http.StatusText(status), ""), status, msg))
}

// Logger returns the request's logger (carrying its request id).
func Logger(c *gin.Context) *slog.Logger {
	if c == nil {
		return slog.Default()
	}
	return slog.Default().With("request_id", RequestID(c))
}
