// Package apidoc describes Backroom's JSON API (/api/v1 and /ws/v1) as OpenAPI 3.1: every
// operation with the permission it checks, its parameters, its request body and its answer,
// built from the Go types the handlers bind and return (operations.go lists them, area by area).
// It serves the description at /api/v1/openapi.json and as a page at /api/docs, and checks a
// request and its answer against it: the tests' API client does so on every call, and a test
// fails when a mounted route is missing from the list.
package apidoc

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Auth is how an operation's caller proves who they are.
type Auth int

const (
	Bearer    Auth = iota // Authorization: Bearer <access token> from /api/v1/auth/login
	APIKey                // X-Api-Key: a key made on the integrations page
	Public                // nobody: sign-in and token refresh
	SyncToken             // X-Sync-Token: a store server's credential from /api/v1/sync/provision
)

// Op is one operation of the API.
type Op struct {
	Method, Path string // as mounted, with gin's :params
	Perm         string // the permission the route checks; "" for any signed-in person (or Public/APIKey)
	Auth         Auth
	Summary      string
	Query        []Param
	Body         any      // a value of the request body's type; nil when it takes none
	Partial      bool     // the body changes only the fields it holds (none is required)
	Optional     bool     // the body may be left out
	Data         any      // a value of the answer's data type; nil for a free-form object
	Status       int      // the success status; 0 means 200, or 201 for POST
	Paged        bool     // data is one page of a list, with total, page and pageSize beside it
	Media        string   // a file answer's content type (application/pdf, text/csv); "" for the JSON envelope
	Raw          bool     // the answer is JSON without the envelope (the web services' own shapes)
	Formats      []string // other content types the answer may take (?format=csv)
}

// Param is a query parameter.
type Param struct {
	Name, About string
	Type        string // "string" (default), "integer", "boolean", "uuid", "date"
	Enum        []string
}

// Key is the route as gin lists it: "GET /api/v1/products/:id".
func (o Op) Key() string { return o.Method + " " + o.Path }

func (o Op) status() int {
	switch {
	case o.Status != 0:
		return o.Status
	case o.Method == http.MethodPost:
		return http.StatusCreated
	}
	return http.StatusOK
}

// openAPIPath turns gin's :id into OpenAPI's {id}.
func openAPIPath(p string) (string, []string) {
	parts := strings.Split(p, "/")
	var params []string
	for i, s := range parts {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			parts[i] = "{" + name + "}"
			params = append(params, name)
		}
	}
	return strings.Join(parts, "/"), params
}

// errorStatuses are the failures every operation may answer, as DESIGN.md lists them; a 500 is
// never documented, so a test that meets one fails.
var errorStatuses = []int{400, 401, 403, 404, 409, 410, 413, 422, 429, 503}

// Build makes the OpenAPI document of ops.
func Build(ops []Op, version string) (*openapi3.T, error) {
	s := newSchemas()
	doc := &openapi3.T{
		OpenAPI: "3.1.0",
		Info: &openapi3.Info{
			Title:   "Backroom API",
			Version: version,
			Description: "The JSON API of Backroom's head-office server (/api/v1) and the web services for outside tools (/ws/v1). " +
				"Money is in cents, quantities in thousandths, tax rates in basis points. Every answer is an envelope " +
				"{\"success\", \"data\", \"error\", \"errors\"}; lists add total, page and pageSize. Each operation names the " +
				"permission it checks (x-permission); store-scoped people see and change only their stores' records.",
		},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{
			SecuritySchemes: openapi3.SecuritySchemes{
				"bearer": {Value: openapi3.NewJWTSecurityScheme()},
				"apiKey": {Value: openapi3.NewSecurityScheme().WithType("apiKey").WithIn("header").WithName("X-Api-Key")},
				"syncToken": {Value: openapi3.NewSecurityScheme().WithType("apiKey").WithIn("header").WithName("X-Sync-Token").
					WithDescription("a store server's credential, from POST /api/v1/sync/provision")},
			},
		},
	}
	seen := map[string]bool{}
	tags := map[string]bool{}
	for _, o := range ops {
		if seen[o.Key()] {
			return nil, fmt.Errorf("apidoc: %s is listed twice", o.Key())
		}
		seen[o.Key()] = true
		path, params := openAPIPath(o.Path)
		op := s.operation(o, params)
		for _, t := range op.Tags {
			tags[t] = true
		}
		item := doc.Paths.Value(path)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(path, item)
		}
		item.SetOperation(o.Method, op)
	}
	names := make([]string, 0, len(tags))
	for t := range tags {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		doc.Tags = append(doc.Tags, &openapi3.Tag{Name: t})
	}
	doc.Components.Schemas = s.components
	doc.Components.Schemas["Error"] = inline(errorSchema())
	return doc, nil
}

func (s *schemas) operation(o Op, pathParams []string) *openapi3.Operation {
	op := openapi3.NewOperation()
	op.Summary = o.Summary
	op.OperationID = operationID(o)
	op.Tags = []string{tagOf(o.Path)}
	op.Extensions = map[string]any{}
	switch o.Auth {
	case Bearer:
		op.Security = &openapi3.SecurityRequirements{{"bearer": {}}}
		perm := o.Perm
		if perm == "" {
			perm = "any signed-in person"
		}
		op.Extensions["x-permission"] = perm
	case APIKey:
		op.Security = &openapi3.SecurityRequirements{{"apiKey": {}}}
	case SyncToken:
		op.Security = &openapi3.SecurityRequirements{{"syncToken": {}}}
	case Public:
		op.Security = &openapi3.SecurityRequirements{}
	}
	for _, name := range pathParams {
		p := openapi3.NewPathParameter(name)
		p.Schema = inline(openapi3.NewStringSchema())
		if name == "id" || strings.HasSuffix(name, "Id") {
			p.Schema = inline(openapi3.NewUUIDSchema())
		}
		op.AddParameter(p)
	}
	query := o.Query
	if o.Paged {
		query = append([]Param{{Name: "page", Type: "integer", About: "page number, from 1"},
			{Name: "pageSize", Type: "integer", About: "rows per page (default 25, at most 200; also page_size)"}}, query...)
	}
	for _, q := range query {
		p := openapi3.NewQueryParameter(q.Name)
		p.Description = q.About
		p.Schema = inline(paramSchema(q))
		op.AddParameter(p)
	}
	if o.Body != nil {
		body := s.request(o.Body)
		if o.Partial {
			body = withoutRequired(body)
		}
		op.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(!o.Optional).WithJSONSchemaRef(body)}
	}
	ok := openapi3.NewResponse().WithDescription(http.StatusText(o.status()))
	switch {
	case o.Media != "":
		ok.Content = openapi3.NewContentWithSchema(openapi3.NewStringSchema(), []string{o.Media})
	case o.Raw:
		ok.Content = openapi3.NewContentWithJSONSchemaRef(s.answerOf(o.Data))
	default:
		ok.Content = openapi3.NewContentWithJSONSchema(s.envelope(o))
	}
	for _, media := range o.Formats {
		ok.Content[media] = openapi3.NewMediaType().WithSchema(openapi3.NewStringSchema())
	}
	op.AddResponse(o.status(), ok)
	for _, code := range errorStatuses {
		res := openapi3.NewResponse().WithDescription(http.StatusText(code))
		res.Content = openapi3.NewContentWithJSONSchemaRef(openapi3.NewSchemaRef("#/components/schemas/Error", nil))
		op.AddResponse(code, res)
	}
	return op
}

func (s *schemas) answerOf(v any) *openapi3.SchemaRef {
	if v == nil {
		return inline(&openapi3.Schema{})
	}
	return s.answer(v)
}

// envelope is the success answer: {"success": true, "data": …}, with the paging figures for lists.
func (s *schemas) envelope(o Op) *openapi3.Schema {
	env := openapi3.NewObjectSchema()
	env.Properties = openapi3.Schemas{
		"success": inline(&openapi3.Schema{Type: &openapi3.Types{openapi3.TypeBoolean}, Const: true}),
		"data":    s.answerOf(o.Data),
	}
	env.Required = []string{"success"}
	if o.Data != nil {
		env.Required = append(env.Required, "data")
	}
	if o.Paged {
		for _, f := range []string{"total", "page", "pageSize"} {
			env.Properties[f] = inline(openapi3.NewIntegerSchema())
			env.Required = append(env.Required, f)
		}
	}
	return env
}

// withoutRequired is a request body whose top-level fields may all be left out.
func withoutRequired(ref *openapi3.SchemaRef) *openapi3.SchemaRef {
	s := *ref.Value
	s.Required = nil
	return inline(&s)
}

func errorSchema() *openapi3.Schema {
	e := openapi3.NewObjectSchema()
	fieldErrors := openapi3.NewObjectSchema()
	fieldErrors.AdditionalProperties = openapi3.AdditionalProperties{Schema: inline(openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema()))}
	fieldErrors.Description = "the messages of each field that failed, by its JSON name"
	e.Properties = openapi3.Schemas{
		"success": inline(&openapi3.Schema{Type: &openapi3.Types{openapi3.TypeBoolean}, Const: false}),
		"error":   inline(openapi3.NewStringSchema().WithMinLength(1)),
		"errors":  inline(fieldErrors),
	}
	e.Required = []string{"success", "error"}
	return e
}

func paramSchema(q Param) *openapi3.Schema {
	var s *openapi3.Schema
	switch q.Type {
	case "integer":
		s = openapi3.NewIntegerSchema()
	case "boolean":
		s = openapi3.NewBoolSchema()
	case "uuid":
		s = openapi3.NewUUIDSchema()
	case "date":
		s = openapi3.NewStringSchema().WithFormat("date")
	default:
		s = openapi3.NewStringSchema()
	}
	for _, e := range q.Enum {
		s.Enum = append(s.Enum, e)
	}
	return s
}

// tagOf groups an operation by its area: the path's first segment after the version.
func tagOf(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) < 3 {
		return "other"
	}
	if parts[0] == "ws" {
		return "web services"
	}
	return parts[2]
}

// operationID is a stable name for code generators: the method and the path's words.
func operationID(o Op) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(o.Method))
	for _, seg := range strings.Split(strings.TrimPrefix(o.Path, "/"), "/")[1:] {
		seg = strings.TrimPrefix(seg, ":")
		for _, w := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '_' }) {
			if w == "v1" {
				continue
			}
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	if strings.HasPrefix(o.Path, "/ws/") {
		return "ws" + strings.ToUpper(b.String()[:1]) + b.String()[1:]
	}
	return b.String()
}
