package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/models"
)

// BindJSON decodes the request body into dst and validates it. Malformed JSON is 400, a value of
// the wrong type is 422 naming the field, a body over the limit is 413, and failed `validate`
// tags are 422 naming each field. Unknown fields are ignored.
func BindJSON(c *gin.Context, dst any) error {
	if err := DecodeJSON(c.Request.Body, dst); err != nil {
		return err
	}
	return models.Validate(dst)
}

// DecodeJSON decodes one JSON value from r with BindJSON's error mapping, without validating.
func DecodeJSON(r io.Reader, dst any) error {
	dec := json.NewDecoder(r)
	err := dec.Decode(dst)
	if err == nil {
		if dec.More() {
			return models.BadRequest("malformed JSON: unexpected data after the body")
		}
		return nil
	}
	var maxErr *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &maxErr):
		return &models.Error{Kind: models.ErrTooLarge, Message: fmt.Sprintf("request body is larger than %d bytes", maxErr.Limit)}
	case errors.Is(err, io.EOF):
		return models.BadRequest("request body is required (JSON)")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return models.BadRequest("malformed JSON: expected %s at the top level", describeKind(typeErr.Type.Kind().String()))
		}
		return models.FieldError(field, "must be "+describeKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr):
		return models.BadRequest("malformed JSON at byte %d: %s", syntaxErr.Offset, syntaxErr.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return models.BadRequest("malformed JSON: the body ends too early")
	}
	return models.BadRequest("malformed JSON: %s", err.Error())
}

func describeKind(kind string) string {
	switch kind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return "of type " + kind
}

// IDParam parses a UUID path parameter; a malformed id is simply not found.
func IDParam(c *gin.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, models.NotFound(strings.TrimSuffix(name, "Id"))
	}
	return id, nil
}

// PageParams reads page and pageSize (or page_size) from the query.
func PageParams(c *gin.Context) (models.Page, error) {
	page, err := intQuery(c, "page", 1)
	if err != nil {
		return models.Page{}, err
	}
	size, err := intQuery(c, "pageSize", 0)
	if err != nil {
		return models.Page{}, err
	}
	if size == 0 {
		if size, err = intQuery(c, "page_size", 25); err != nil {
			return models.Page{}, err
		}
	}
	return models.NewPage(page, size), nil
}

func intQuery(c *gin.Context, name string, def int) (int, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, models.BadRequest("%s must be a positive whole number", name)
	}
	return n, nil
}

// UUIDQuery parses an optional UUID query parameter (several names may be accepted, e.g.
// store_id and storeId); a malformed value is 400.
func UUIDQuery(c *gin.Context, names ...string) (*uuid.UUID, error) {
	for _, name := range names {
		s := c.Query(name)
		if s == "" {
			continue
		}
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, models.BadRequest("%s must be an id", name)
		}
		return &id, nil
	}
	return nil, nil
}

// FirstQuery returns the first non-empty query parameter of names (e.g. date_from, then
// dateFrom), or "".
func FirstQuery(c *gin.Context, names ...string) string {
	for _, n := range names {
		if v := c.Query(n); v != "" {
			return v
		}
	}
	return ""
}
