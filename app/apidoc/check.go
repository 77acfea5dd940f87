package apidoc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Checker validates calls against a description.
type Checker struct {
	doc    *openapi3.T
	routes []route
}

type route struct {
	method string
	path   string   // OpenAPI form, /api/v1/products/{id}
	parts  []string // its segments
	item   *openapi3.PathItem
	op     *openapi3.Operation
}

// NewChecker builds its own copy of the description of ops (Operations() for the app) with
// every $ref resolved, for Check. TestOpenAPIIsServed validates the served copy as OpenAPI.
func NewChecker(ops []Op) (*Checker, error) {
	doc, err := Build(ops, Version)
	if err != nil {
		return nil, err
	}
	if err := openapi3.NewLoader().ResolveRefsIn(doc, nil); err != nil {
		return nil, fmt.Errorf("apidoc: resolving the description's references: %w", err)
	}
	c := &Checker{doc: doc}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			c.routes = append(c.routes, route{method: method, path: path, parts: strings.Split(path, "/"), item: item, op: op})
		}
	}
	return c, nil
}

// find matches a request path as gin does: a literal segment wins over a parameter.
func (c *Checker) find(method, path string) (*route, map[string]string) {
	segs := strings.Split(path, "/")
	var best *route
	var bestParams map[string]string
	bestLiterals := -1
	for i := range c.routes {
		r := &c.routes[i]
		if r.method != method || len(r.parts) != len(segs) {
			continue
		}
		params := map[string]string{}
		literals := 0
		ok := true
		for j, p := range r.parts {
			if strings.HasPrefix(p, "{") {
				params[strings.Trim(p, "{}")] = segs[j]
				continue
			}
			if p != segs[j] {
				ok = false
				break
			}
			literals++
		}
		if ok && literals > bestLiterals {
			best, bestParams, bestLiterals = r, params, literals
		}
	}
	return best, bestParams
}

// Check validates one call: the request against its operation and the answer against the
// responses that operation documents. A request the description refuses must have been refused
// by the server too (a 4xx); an answer's status must be documented and its body must match.
// A path the description does not hold is an error unless the server answered 404 or 405.
func (c *Checker) Check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	r, params := c.find(req.Method, req.URL.Path)
	if r == nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return nil
		}
		return fmt.Errorf("%s %s is not in the API description (answered %d)", req.Method, req.URL.Path, status)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: false}
	clone := req.Clone(context.Background())
	clone.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{
		Request:    clone,
		PathParams: params,
		Route:      &routers.Route{Spec: c.doc, Path: r.path, PathItem: r.item, Method: r.method, Operation: r.op},
		Options:    opts,
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && status < 400 {
		return fmt.Errorf("%s %s: the server answered %d to a request its description refuses: %s", req.Method, req.URL.Path, status, firstLine(err))
	}
	media, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	resOpts := *opts
	if media != "application/json" {
		resOpts.ExcludeResponseBody = true
		if err := c.checkMedia(r.op, status, media); err != nil {
			return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
		}
	}
	in.Options = &resOpts
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Options: &resOpts}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("%s %s answered %d, which its description does not allow: %s\nbody: %s", req.Method, req.URL.Path, status, describe(err), clip(body))
	}
	return nil
}

// checkMedia: a file answer has the content type its operation documents.
func (c *Checker) checkMedia(op *openapi3.Operation, status int, media string) error {
	res := op.Responses.Status(status)
	if res == nil || res.Value == nil {
		return fmt.Errorf("status %d is not documented", status)
	}
	if res.Value.Content.Get(media) == nil {
		return fmt.Errorf("answered %d as %q, which is not documented", status, media)
	}
	return nil
}

func describe(err error) string {
	var re *openapi3filter.ResponseError
	if errors.As(err, &re) {
		if re.Err != nil {
			return re.Reason + ": " + firstLine(re.Err)
		}
		return re.Reason
	}
	return firstLine(err)
}

func firstLine(err error) string {
	s := err.Error()
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

func clip(b []byte) string {
	if len(b) > 800 {
		return string(b[:800]) + "…"
	}
	return string(b)
}
