package models

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// Sentinel errors every layer tests with errors.Is. The HTTP layer maps each to one status.
var (
	ErrNotFound     = errors.New("not found")         // 404
	ErrConflict     = errors.New("conflict")          // 409: state moved on or a unique value is taken
	ErrForbidden    = errors.New("forbidden")         // 403
	ErrUnauthorized = errors.New("unauthorized")      // 401
	ErrValidation   = errors.New("validation failed") // 422
	ErrBadRequest   = errors.New("bad request")       // 400: malformed body or parameters
	ErrTooLarge     = errors.New("request too large") // 413
	ErrThrottled    = errors.New("too many attempts") // 429
	ErrGone         = errors.New("gone")              // 410: what was asked for is no longer kept
)

// Error is an error meant for the person who caused it: Message says what to fix, Kind is one of
// the sentinels above, and Fields holds per-field messages keyed by JSON field name.
type Error struct {
	Kind    error
	Message string
	Fields  map[string][]string
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Kind }

// Add records a message for a field; it returns e so calls can chain.
func (e *Error) Add(field, msg string) *Error {
	if e.Fields == nil {
		e.Fields = map[string][]string{}
	}
	e.Fields[field] = append(e.Fields[field], msg)
	return e
}

// Merge adds the field messages of err, a validation error, to e, so problems found by
// different checks (a form's values that do not parse, the service's rules) show together, and
// returns nil. Any other error, such as a failed query, comes back as it is.
func (e *Error) Merge(err error) error {
	var ve *Error
	if err == nil {
		return nil
	}
	if !errors.As(err, &ve) || !errors.Is(err, ErrValidation) {
		return err
	}
	for k, msgs := range ve.Fields {
		for _, m := range msgs {
			e.Add(k, m)
		}
	}
	return nil
}

// Err returns e when it holds at least one field message, or nil.
func (e *Error) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	if e.Message == "" {
		e.Message = e.summary()
	}
	return e
}

func (e *Error) summary() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+strings.Join(e.Fields[k], "; "))
	}
	return "Please correct the highlighted fields (" + strings.Join(parts, ", ") + ")"
}

// Invalid starts a validation error; call Add for more fields and Err to finish.
func Invalid() *Error { return &Error{Kind: ErrValidation} }

// FieldError is a one-field validation error.
func FieldError(field, msg string) error { return Invalid().Add(field, msg).Err() }

// NotFound says which thing was not found.
func NotFound(what string) error { return &Error{Kind: ErrNotFound, Message: what + " not found"} }

// Conflict says why a write cannot go ahead in the current state.
func Conflict(format string, a ...any) error {
	return &Error{Kind: ErrConflict, Message: fmt.Sprintf(format, a...)}
}

// Forbidden says which permission is missing.
func Forbidden(format string, a ...any) error {
	return &Error{Kind: ErrForbidden, Message: fmt.Sprintf(format, a...)}
}

// BadRequest describes a malformed request.
func BadRequest(format string, a ...any) error {
	return &Error{Kind: ErrBadRequest, Message: fmt.Sprintf(format, a...)}
}

// Unauthorized describes why credentials were refused.
func Unauthorized(msg string) error { return &Error{Kind: ErrUnauthorized, Message: msg} }

// NotFoundIf turns gorm's record-not-found into a NotFound error for what; other errors pass through.
func NotFoundIf(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return NotFound(what)
	}
	return err
}

// IsUniqueViolation reports whether err is a PostgreSQL unique violation, optionally on the named
// constraint or index.
func IsUniqueViolation(err error, constraint string) bool {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.Code != "23505" {
		return false
	}
	return constraint == "" || pg.ConstraintName == constraint
}

// IsForeignKeyViolation reports whether err is a PostgreSQL foreign-key violation.
func IsForeignKeyViolation(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23503"
}

// IsConcurrencyFailure reports whether err is PostgreSQL refusing a transaction because of a
// concurrent one: a deadlock it broke (40P01) or a serialization failure (40001). The
// transaction rolled back whole, so the request may simply be sent again.
func IsConcurrencyFailure(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

// IsUnavailable reports whether err is the database being out of reach rather than anything
// about the request: no connection could be made or kept (refused, reset, timed out, the server
// shutting down or starting up). Nothing was written; the same request can succeed later.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// Class 08 is "connection exception"; 57P01–57P03 are shutdown and start-up.
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03"
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connect) || errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		strings.Contains(err.Error(), "failed to connect to") || strings.Contains(err.Error(), "conn closed")
}

// IsInvalidText reports whether PostgreSQL refused a text value it cannot store (a NUL byte, or
// bytes that are not UTF-8): the request's input is at fault, and nothing was written.
func IsInvalidText(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "22021" || pg.Code == "22P05")
}
