package apidoc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"backroom/app/server"
	views "backroom/views/apidocs"
)

// Version is the description's own version (info.version): the API is /v1.
const Version = "1.0"

// Service serves the description.
type Service struct {
	doc *openapi3.T

	render sync.Once // the JSON and the page are made on the first request for either
	json   []byte
	page   views.Reference
}

// New builds the description of Operations. An error is a mistake in the list (an operation
// listed twice), which TestOpenAPICoversEveryRoute catches before it ships.
func New() (*Service, error) {
	doc, err := Build(Operations(), Version)
	if err != nil {
		return nil, err
	}
	return &Service{doc: doc}, nil
}

func (s *Service) rendered() {
	s.render.Do(func() {
		b, err := json.Marshal(s.doc)
		if err != nil {
			panic(fmt.Sprintf("apidoc: the description does not encode: %v", err)) // a mistake in Build, not input
		}
		s.json, s.page = b, reference(s.doc)
	})
}

// Mount adds GET /api/v1/openapi.json (public, like any API's description: it names routes and
// permissions, no data) and the /api/docs page for signed-in people.
func (s *Service) Mount(rt server.Routes) {
	rt.Root.GET("/api/v1/openapi.json", s.serveJSON)
	rt.Web.GET("/api/docs", s.servePage)
}

func (s *Service) serveJSON(c *gin.Context) {
	s.rendered()
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json; charset=utf-8", s.json)
}

func (s *Service) servePage(c *gin.Context) {
	s.rendered()
	server.Render(c, http.StatusOK, views.Page(server.PageOf(c, "API reference", ""), s.page))
}

// reference turns the description into the page's rows.
func reference(doc *openapi3.T) views.Reference {
	r := views.Reference{Title: doc.Info.Title, Version: doc.OpenAPI, Description: doc.Info.Description}
	groups := map[string]*views.Group{}
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			op := item.GetOperation(method)
			if op == nil {
				continue
			}
			tag := op.Tags[0]
			g, ok := groups[tag]
			if !ok {
				g = &views.Group{Tag: tag}
				groups[tag] = g
			}
			g.Ops = append(g.Ops, operationRow(method, path, op))
		}
	}
	for _, t := range doc.Tags {
		if g, ok := groups[t.Name]; ok {
			r.Groups = append(r.Groups, *g)
		}
	}
	names := make([]string, 0, len(doc.Components.Schemas))
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r.Schemas = append(r.Schemas, views.Schema{Name: n, Fields: fieldsOf(doc.Components.Schemas[n].Value)})
	}
	return r
}

func operationRow(method, path string, op *openapi3.Operation) views.Operation {
	row := views.Operation{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Auth: "anyone (sign-in)"}
	if perm, ok := op.Extensions["x-permission"].(string); ok {
		row.Permission = perm
	}
	if op.Security != nil && len(*op.Security) > 0 {
		if _, ok := (*op.Security)[0]["apiKey"]; ok {
			row.Auth = "an API key in X-Api-Key with the scope named above"
		}
		if _, ok := (*op.Security)[0]["syncToken"]; ok {
			row.Auth = "a store server's credential in X-Sync-Token (it acts for its own store only)"
		}
	}
	for _, p := range op.Parameters {
		v := p.Value
		f := typeField(v.Schema)
		f.Name, f.About, f.Required = v.Name+" ("+v.In+")", v.Description, v.Required
		row.Params = append(row.Params, f)
	}
	if op.RequestBody != nil {
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil {
			if props := fieldsOf(mt.Schema.Value); len(props) > 0 {
				row.Body = props
			} else {
				row.BodyType = typeField(mt.Schema)
			}
		}
	}
	for code, res := range op.Responses.Map() {
		if !strings.HasPrefix(code, "2") {
			continue
		}
		row.Status, _ = strconv.Atoi(code)
		for media, mt := range res.Value.Content {
			if media != "application/json" {
				row.Answer = views.Field{Type: "a file (" + media + ")"}
				continue
			}
			data := mt.Schema
			if env := mt.Schema.Value; env != nil && env.Properties["data"] != nil {
				data = env.Properties["data"]
				_, row.Paged = env.Properties["total"]
			}
			row.Answer = typeField(data)
		}
	}
	return row
}

// fieldsOf lists an object schema's properties, in name order.
func fieldsOf(s *openapi3.Schema) []views.Field {
	if s == nil {
		return nil
	}
	required := map[string]bool{}
	for _, n := range s.Required {
		required[n] = true
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]views.Field, 0, len(names))
	for _, n := range names {
		f := typeField(s.Properties[n])
		f.Name, f.Required = n, required[n]
		out = append(out, f)
	}
	return out
}

// typeField describes a schema's type in words: "string (uuid)", "list of Product", "Store or null".
func typeField(ref *openapi3.SchemaRef) views.Field {
	if ref == nil {
		return views.Field{Type: "any"}
	}
	if ref.Ref != "" {
		name := ref.Ref[strings.LastIndex(ref.Ref, "/")+1:]
		return views.Field{Type: name, Ref: name}
	}
	s := ref.Value
	if s == nil {
		return views.Field{Type: "any"}
	}
	if len(s.AnyOf) == 2 {
		f := typeField(s.AnyOf[0])
		f.Type += " or null"
		return f
	}
	var types []string
	nullable := false
	if s.Type != nil {
		for _, t := range s.Type.Slice() {
			if t == openapi3.TypeNull {
				nullable = true
				continue
			}
			types = append(types, t)
		}
	}
	var f views.Field
	switch {
	case len(types) == 0:
		f = views.Field{Type: "any"}
	case types[0] == openapi3.TypeArray:
		f = typeField(s.Items)
		f.Type = "list of " + f.Type
	case types[0] == openapi3.TypeObject && s.AdditionalProperties.Schema != nil:
		f = typeField(s.AdditionalProperties.Schema)
		f.Type = "map of " + f.Type
	default:
		f = views.Field{Type: types[0]}
		if s.Format != "" {
			f.Type += " (" + s.Format + ")"
		}
		if len(s.Enum) > 0 {
			vals := make([]string, 0, len(s.Enum))
			for _, v := range s.Enum {
				if str, ok := v.(string); ok && str != "" {
					vals = append(vals, str)
				}
			}
			f.Type += ": " + strings.Join(vals, ", ")
		}
	}
	if nullable {
		f.Type += " or null"
	}
	return f
}
