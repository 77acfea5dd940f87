package apidoc

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
)

// schemas turns Go types into JSON Schemas the way encoding/json writes and reads them: field
// names from json tags, embedded structs flattened, pointers, slices and maps nullable (a nil one
// is written as null). Named structs of answers become components; request bodies are inlined.
type schemas struct {
	components openapi3.Schemas
	names      map[reflect.Type]string // component name of each named struct already described
}

func newSchemas() *schemas {
	return &schemas{components: openapi3.Schemas{}, names: map[reflect.Type]string{}}
}

// answer describes v's type as the server writes it: every field json writes (no omitempty) is
// required, so an answer missing one fails the check.
func (s *schemas) answer(v any) *openapi3.SchemaRef {
	return s.of(reflect.TypeOf(v), false)
}

// request describes v's type as a request body: the fields whose `validate` tag says required
// are required, and `oneof` lists become enums.
func (s *schemas) request(v any) *openapi3.SchemaRef {
	return s.of(reflect.TypeOf(v), true)
}

func (s *schemas) of(t reflect.Type, request bool) *openapi3.SchemaRef {
	if t == nil {
		return openapi3.NewSchemaRef("", &openapi3.Schema{})
	}
	marshaler := reflect.TypeFor[json.Marshaler]()
	switch {
	case t == reflect.TypeFor[time.Time]():
		return inline(openapi3.NewDateTimeSchema())
	case t == reflect.TypeFor[uuid.UUID]():
		return inline(openapi3.NewUUIDSchema())
	case t == reflect.TypeFor[json.RawMessage]():
		return inline(&openapi3.Schema{})
	case t.Kind() == reflect.Pointer:
		return nullable(s.of(t.Elem(), request))
	case t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler):
		// A type that writes itself (an exact decimal, raw JSON): any value.
		return inline(&openapi3.Schema{Description: "written by " + t.String()})
	case t.Implements(reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()):
		return inline(openapi3.NewStringSchema())
	}
	switch t.Kind() {
	case reflect.Bool:
		return inline(openapi3.NewBoolSchema())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return inline(openapi3.NewIntegerSchema())
	case reflect.Float32, reflect.Float64:
		return inline(openapi3.NewFloat64Schema())
	case reflect.String:
		return inline(openapi3.NewStringSchema())
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return inline(openapi3.NewBytesSchema())
		}
		arr := openapi3.NewArraySchema()
		arr.Items = s.of(t.Elem(), request)
		if t.Kind() == reflect.Slice {
			return nullable(inline(arr))
		}
		return inline(arr)
	case reflect.Map:
		obj := openapi3.NewObjectSchema()
		obj.AdditionalProperties = openapi3.AdditionalProperties{Schema: s.of(t.Elem(), request)}
		return nullable(inline(obj))
	case reflect.Struct:
		if request || t.Name() == "" {
			return inline(s.object(t, request))
		}
		if name, ok := s.names[t]; ok {
			return openapi3.NewSchemaRef("#/components/schemas/"+name, nil)
		}
		name := s.nameOf(t)
		s.names[t] = name
		s.components[name] = inline(s.object(t, false))
		return openapi3.NewSchemaRef("#/components/schemas/"+name, nil)
	}
	return inline(&openapi3.Schema{})
}

// object lists a struct's fields as encoding/json does.
func (s *schemas) object(t reflect.Type, request bool) *openapi3.Schema {
	obj := openapi3.NewObjectSchema()
	obj.Properties = openapi3.Schemas{}
	s.fields(t, obj, request)
	return obj
}

func (s *schemas) fields(t reflect.Type, obj *openapi3.Schema, request bool) {
	var embedded []reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		prop := s.of(f.Type, request)
		if strings.Contains(opts, "string") {
			prop = inline(openapi3.NewStringSchema())
		}
		validate := f.Tag.Get("validate")
		if request {
			if enum := oneOf(validate); len(enum) > 0 && f.Type.Kind() == reflect.String {
				if hasRule(validate, "omitempty") {
					enum = append(enum, "")
				}
				prop = inline(&openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Enum: enum})
			}
		}
		obj.Properties[name] = prop
		omit := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		if request && hasRule(validate, "required") || !request && !omit {
			obj.Required = append(obj.Required, name)
		}
	}
	// An embedded struct's fields come after the outer ones: encoding/json lets the shallower
	// field of a name win, so an outer field hides an embedded one of the same name.
	for _, et := range embedded {
		inner := openapi3.NewObjectSchema()
		inner.Properties = openapi3.Schemas{}
		s.fields(et, inner, request)
		for name, prop := range inner.Properties {
			if _, taken := obj.Properties[name]; !taken {
				obj.Properties[name] = prop
				if slices.Contains(inner.Required, name) {
					obj.Required = append(obj.Required, name)
				}
			}
		}
	}
}

// nameOf is a struct's component name: the models' types by their own name (Product,
// PurchaseOrder), an area's types with the area in front (PurchasingDetail, TransfersDetail), so
// two areas' Detail never meet.
func (s *schemas) nameOf(t reflect.Type) string {
	name := strings.NewReplacer("[", "Of", "]", "", ".", "", "*", "", "/", "", ",", "And").Replace(t.Name())
	pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
	if pkg == "models" || pkg == "apidoc" || pkg == "" {
		return strings.ToUpper(name[:1]) + name[1:]
	}
	r := []rune(pkg)
	r[0] = unicode.ToUpper(r[0])
	return string(r) + name
}

func inline(s *openapi3.Schema) *openapi3.SchemaRef { return openapi3.NewSchemaRef("", s) }

// nullable lets a schema also be null (how json writes a nil pointer, slice or map).
func nullable(ref *openapi3.SchemaRef) *openapi3.SchemaRef {
	if ref.Ref != "" {
		return inline(&openapi3.Schema{AnyOf: openapi3.SchemaRefs{ref, inline(&openapi3.Schema{Type: &openapi3.Types{openapi3.TypeNull}})}})
	}
	s := *ref.Value
	if s.Type == nil || len(s.Type.Slice()) == 0 {
		return ref // any value already includes null
	}
	types := append(openapi3.Types{}, s.Type.Slice()...)
	s.Type = &types
	if !s.Type.Includes(openapi3.TypeNull) {
		types = append(types, openapi3.TypeNull)
		s.Type = &types
	}
	return inline(&s)
}

// hasRule reports whether a `validate` tag holds rule (before any dive, which applies to items).
func hasRule(tag, rule string) bool {
	for _, r := range strings.Split(tag, ",") {
		if r == "dive" {
			return false
		}
		if r == rule {
			return true
		}
	}
	return false
}

// oneOf is a `validate:"oneof=a b"` rule's values.
func oneOf(tag string) []any {
	for _, r := range strings.Split(tag, ",") {
		if r == "dive" {
			return nil
		}
		if v, ok := strings.CutPrefix(r, "oneof="); ok {
			var out []any
			for _, s := range strings.Fields(v) {
				out = append(out, s)
			}
			return out
		}
	}
	return nil
}
