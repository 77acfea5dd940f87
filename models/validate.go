package models

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

var (
	validatorsMu sync.Mutex
	validators   = map[string]*validator.Validate{} // by the tag that names fields first
)

// Validator is the one go-playground validator, naming fields by their JSON tag so page forms
// and API bodies report the same field names.
func Validator() *validator.Validate { return validatorNaming("json") }

// validatorNaming is the validator that names a field by its tag first (then its json, form
// and query tags, then its Go name). Every one has the same rules and the same messages; they
// differ only in names, because go-playground fixes the naming when a validator is made.
func validatorNaming(tag string) *validator.Validate {
	validatorsMu.Lock()
	defer validatorsMu.Unlock()
	if v, ok := validators[tag]; ok {
		return v
	}
	order := []string{tag}
	for _, t := range []string{"json", "form", "query"} {
		if t != tag {
			order = append(order, t)
		}
	}
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		for _, tag := range order {
			name := strings.SplitN(f.Tag.Get(tag), ",", 2)[0]
			if name == "-" {
				return ""
			}
			if name != "" {
				return name
			}
		}
		return f.Name
	})
	_ = v.RegisterValidation("pin", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		if len(s) < 4 || len(s) > 8 {
			return false
		}
		for _, r := range s {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	})
	validators[tag] = v
	return v
}

// Validate checks v's `validate` tags and returns a validation *Error naming each failing field
// by its JSON tag, or nil.
func Validate(v any) error { return ValidateNaming(v, "json") }

// ValidateNaming is Validate naming each failing field by its tag first: a query string bound
// by its `query` tags ("store_id") reports store_id, whatever its JSON name.
func ValidateNaming(v any, tag string) error {
	err := validatorNaming(tag).Struct(v)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return err
	}
	out := Invalid()
	for _, fe := range ves {
		out.Add(fieldPath(fe), message(fe))
	}
	return out.Err()
}

// fieldPath drops the top-level struct name: "ProductInput.items[0].quantity" → "items[0].quantity".
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if i := strings.IndexByte(ns, '.'); i >= 0 {
		return ns[i+1:]
	}
	return fe.Field()
}

func message(fe validator.FieldError) string {
	p := fe.Param()
	switch fe.Tag() {
	case "required", "required_without", "required_if":
		return "is required"
	case "max":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at most %s characters", p)
		}
		if fe.Kind() == reflect.Slice {
			return fmt.Sprintf("must have at most %s entries", p)
		}
		return "must be at most " + p
	case "min":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at least %s characters", p)
		}
		if fe.Kind() == reflect.Slice {
			return fmt.Sprintf("must have at least %s entries", p)
		}
		return "must be at least " + p
	case "gte":
		return "must be at least " + p
	case "gt":
		return "must be greater than " + p
	case "lte":
		return "must be at most " + p
	case "lt":
		return "must be less than " + p
	case "email":
		return "must be a valid email address"
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(p, " ", ", ")
	case "pin":
		return "must be 4 to 8 digits"
	case "uuid", "uuid4":
		return "must be a valid id"
	case "url", "http_url":
		return "must be a valid URL"
	case "timezone":
		return "must be a time zone such as America/New_York"
	case "alphanum":
		return "may contain only letters and digits"
	case "numeric":
		return "must contain only digits"
	case "dive":
		return "is invalid"
	}
	return "is invalid (" + fe.Tag() + ")"
}
