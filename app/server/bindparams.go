package server

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"backroom/models"
)

// ParamUnmarshaler is a field type that reads itself from one query or form value: a parameter
// with a rule of its own, such as words besides true and false, or a day that means its end. A
// *models.Error it returns is the answer as it stands; any other error's text follows the
// parameter's name ("active" + "must be true, false or all").
type ParamUnmarshaler interface {
	UnmarshalParam(value string) error
}

// BindQuery fills dst, a pointer to a struct, from the query string by each field's `query`
// tag, then checks its `validate` tags. The tag lists the names a parameter goes by, the
// canonical one first: `query:"store_id,storeId"` reads the first of them that is not blank, so
// an empty store_id= does not hide a storeId. A field whose parameters are all blank or missing
// keeps the value it had, so defaults can be set before the call.
//
// A field may be a string or *string (trimmed), an int of any size or a pointer to one, a bool or
// *bool (strconv.ParseBool's spellings: true, 1, t, false, 0, f…), a uuid.UUID or *uuid.UUID, or a
// ParamUnmarshaler. Numbers, bools, ids and ParamUnmarshalers get the value as sent. A value that
// does not parse is 400 naming the parameter as the request spelled it ("storeId must be an
// id", as UUIDQuery says); the fields are read in order and the first such value is the answer.
// Failed `validate` tags are 422 naming each field by its canonical name.
func BindQuery(c *gin.Context, dst any) error {
	fields, err := paramFields(dst, "query")
	if err != nil {
		return err
	}
	for _, f := range fields {
		for _, name := range f.names {
			raw := c.Query(name)
			if raw == "" {
				continue
			}
			if err := setParam(f.value, raw); err != nil {
				var me *models.Error
				if errors.As(err, &me) {
					return err
				}
				return models.BadRequest("%s %s", name, err.Error())
			}
			break
		}
	}
	return models.ValidateNaming(dst, "query")
}

// QueryOf is BindQuery into a new F, for a list filter type that carries its own `query` tags.
func QueryOf[F any](c *gin.Context) (F, error) {
	var f F
	err := BindQuery(c, &f)
	return f, err
}

// BindForm fills dst, a pointer to a struct, from the posted form by each field's `form` tag
// (names as for BindQuery: the canonical one first, then aliases), then checks its `validate`
// tags. Every value is trimmed, and when a name is posted more than once the last value counts
// (a checkbox posts a hidden "false" before the box). A pointer field stays nil when none of its
// names is posted; any other field not posted reads as posted blank. A blank number, bool or id
// leaves its field as it was (a pointer nil); a blank string is "", and a ParamUnmarshaler is
// given "" to decide for itself.
//
// The field types are BindQuery's. Unlike a query, a form is typed by a person, so a value that
// does not parse is not 400: it is a message beside its field ("must be a whole number"). Every
// such message and every failed `validate` tag comes back in one 422 validation error naming
// each field by its canonical name, so the page shows every problem at once. The fields that did
// parse are filled even then, for the service's own checks to run on.
func BindForm(c *gin.Context, dst any) error {
	fields, err := paramFields(dst, "form")
	if err != nil {
		return err
	}
	e := models.Invalid()
	for _, f := range fields {
		raw, posted := postedValue(c, f.names)
		if (!posted && f.value.Kind() == reflect.Pointer) || (raw == "" && blankIsNoValue(f.value.Type())) {
			continue
		}
		if err := setParam(f.value, raw); err != nil {
			e.Add(f.names[0], err.Error())
		}
	}
	verr := models.ValidateNaming(dst, "form")
	var ve *models.Error
	if verr != nil && (!errors.As(verr, &ve) || !errors.Is(verr, models.ErrValidation)) {
		return verr
	}
	if ve != nil {
		for field, msgs := range ve.Fields {
			if _, parsed := e.Fields[field]; parsed {
				continue // the value did not parse: that is the message, not that it is now empty
			}
			for _, m := range msgs {
				e.Add(field, m)
			}
		}
	}
	return e.Err()
}

// FormValues is the posted text of each of form's fields (a struct or a pointer to one with
// `form` tags), trimmed and keyed by the field's canonical name, as BindForm read it: what a
// refused form shows again as it was typed. A field none of whose names was posted is left out.
func FormValues(c *gin.Context, form any) map[string]string {
	out := map[string]string{}
	t := reflect.TypeOf(form)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := range t.NumField() {
		names := tagNames(t.Field(i), "form")
		if names == nil {
			continue
		}
		if raw, posted := postedValue(c, names); posted {
			out[names[0]] = raw
		}
	}
	return out
}

// postedValue is the last value posted under the first of names that was posted, trimmed.
func postedValue(c *gin.Context, names []string) (string, bool) {
	for _, n := range names {
		if vs := c.PostFormArray(n); len(vs) > 0 {
			return strings.TrimSpace(vs[len(vs)-1]), true
		}
	}
	return "", false
}

// paramField is one tagged field of the struct being bound.
type paramField struct {
	names []string      // the canonical name, then its aliases
	value reflect.Value // the field itself, settable
}

// paramFields lists dst's fields that carry tag, in order. A dst that is not a pointer to a
// struct, or a tagged field of a type the binder cannot fill, is a mistake in the code, not in
// the request: it is an ordinary error (500).
func paramFields(dst any, tag string) ([]paramField, error) {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("bind %s: want a pointer to a struct, got %T", tag, dst)
	}
	v = v.Elem()
	t := v.Type()
	var out []paramField
	for i := range t.NumField() {
		sf := t.Field(i)
		names := tagNames(sf, tag)
		if names == nil {
			continue
		}
		if !sf.IsExported() || !bindable(sf.Type) {
			return nil, fmt.Errorf("bind %s: %s.%s (%s) cannot be filled from a %s parameter", tag, t, sf.Name, sf.Type, tag)
		}
		out = append(out, paramField{names: names, value: v.Field(i)})
	}
	return out, nil
}

// tagNames splits a field's tag into its names; nil when the field has none (or "-").
func tagNames(sf reflect.StructField, tag string) []string {
	s, ok := sf.Tag.Lookup(tag)
	if !ok || s == "-" || s == "" {
		return nil
	}
	var names []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// blankIsNoValue reports whether a blank form value leaves a field of type t as it was: a
// number, bool or id (or a pointer to one). A string takes the blank; a ParamUnmarshaler decides.
func blankIsNoValue(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return !isUnmarshaler(t) && t.Kind() != reflect.String
}

func isUnmarshaler(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(reflect.TypeFor[ParamUnmarshaler]())
}

// bindable reports whether setParam can fill a field of type t.
func bindable(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
		if t.Kind() == reflect.Pointer {
			return false
		}
	}
	if isUnmarshaler(t) || t == reflect.TypeFor[uuid.UUID]() {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return true
	}
	return false
}

// setParam parses raw into v (allocating it when v is a pointer). A plain error's text is what
// the value must be; the caller names the parameter.
func setParam(v reflect.Value, raw string) error {
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		if err := setParam(p.Elem(), raw); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	switch dst := v.Addr().Interface().(type) {
	case ParamUnmarshaler:
		return dst.UnmarshalParam(raw)
	case *uuid.UUID:
		id, err := uuid.Parse(raw)
		if err != nil {
			return errors.New("must be an id")
		}
		*dst = id
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(strings.TrimSpace(raw))
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return errors.New("must be true or false")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, v.Type().Bits())
		if err != nil {
			return errors.New("must be a whole number")
		}
		v.SetInt(n)
	default:
		return fmt.Errorf("cannot be filled (%s)", v.Type())
	}
	return nil
}
