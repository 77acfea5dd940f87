package apidoc

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type widget struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Note  *string `json:"note"`
	Extra string  `json:"extra,omitempty"`
}

type widgetInput struct {
	Name string `json:"name" validate:"required,max=40"`
	Kind string `json:"kind" validate:"omitempty,oneof=big small"`
}

// checker over a two-operation description, as the app's is built.
func testChecker(t *testing.T) *Checker {
	t.Helper()
	c, err := NewChecker([]Op{
		{Method: http.MethodGet, Path: "/api/v1/widgets/:id", Perm: "widgets.view", Summary: "A widget", Data: widget{}},
		{Method: http.MethodPost, Path: "/api/v1/widgets", Perm: "widgets.create", Summary: "Make a widget", Body: widgetInput{}, Data: widget{}},
		{Method: http.MethodGet, Path: "/api/v1/widgets/special", Perm: "widgets.view", Summary: "The special widget", Data: widget{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func call(c *Checker, method, path, reqBody string, status int, body string) error {
	req := httptest.NewRequest(method, path, strings.NewReader(reqBody))
	if reqBody != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	return c.Check(req, []byte(reqBody), status, h, []byte(body))
}

// TestCheckerCatchesDisagreements: each way an answer can drift from its description fails the
// check, and what matches passes.
func TestCheckerCatchesDisagreements(t *testing.T) {
	c := testChecker(t)
	const good = `{"success":true,"data":{"id":"w1","name":"Bolt","note":null}}`
	cases := []struct {
		name, method, path, req string
		status                  int
		body                    string
		wantErr                 string
	}{
		{"matches", "GET", "/api/v1/widgets/6f1c3a4e-8a52-4d4e-9a43-6c1d2f3b4a5e", "", 200, good, ""},
		{"a literal path wins over a parameter", "GET", "/api/v1/widgets/special", "", 200, good, ""},
		{"a documented error", "GET", "/api/v1/widgets/6f1c3a4e-8a52-4d4e-9a43-6c1d2f3b4a5e", "", 404, `{"success":false,"error":"widget not found"}`, ""},
		{"a field the type always writes is missing", "GET", "/api/v1/widgets/6f1c3a4e-8a52-4d4e-9a43-6c1d2f3b4a5e", "", 200, `{"success":true,"data":{"id":"w1","note":null}}`, "name"},
		{"a field of the wrong type", "GET", "/api/v1/widgets/6f1c3a4e-8a52-4d4e-9a43-6c1d2f3b4a5e", "", 200, `{"success":true,"data":{"id":"w1","name":7,"note":null}}`, "name"},
		{"a 500 is never documented", "GET", "/api/v1/widgets/6f1c3a4e-8a52-4d4e-9a43-6c1d2f3b4a5e", "", 500, `{"success":false,"error":"boom"}`, "status is not supported"},
		{"an error without its message", "GET", "/api/v1/widgets/6f1c3a4e-8a52-4d4e-9a43-6c1d2f3b4a5e", "", 404, `{"success":false}`, "error"},
		{"a request the description refuses, accepted", "POST", "/api/v1/widgets", `{"kind":"big"}`, 201, good, "refuses"},
		{"a value outside the enum, accepted", "POST", "/api/v1/widgets", `{"name":"Bolt","kind":"huge"}`, 201, good, "refuses"},
		{"a request the description refuses, refused", "POST", "/api/v1/widgets", `{"kind":"big"}`, 422, `{"success":false,"error":"name is required","errors":{"name":["is required"]}}`, ""},
		{"a valid create", "POST", "/api/v1/widgets", `{"name":"Bolt"}`, 201, good, ""},
		{"the wrong success status", "POST", "/api/v1/widgets", `{"name":"Bolt"}`, 200, good, "status is not supported"},
		{"a path the description lacks", "GET", "/api/v1/gadgets", "", 200, `{"success":true}`, "not in the API description"},
		{"an unknown path answered 404", "GET", "/api/v1/gadgets", "", 404, `{"success":false,"error":"not found"}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := call(c, tc.method, tc.path, tc.req, tc.status, tc.body)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("want no disagreement, got %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("want a disagreement about %q, got none", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("want a disagreement about %q, got %v", tc.wantErr, err)
			}
		})
	}
}

// TestSchemasFollowEncodingJSON: names from json tags, omitempty fields optional, pointers
// nullable, an outer field hiding an embedded one of the same name.
func TestSchemasFollowEncodingJSON(t *testing.T) {
	type base struct {
		ID       string `json:"id"`
		Settings string `json:"settings"`
	}
	type view struct {
		base
		Settings map[string]string `json:"settings"`
		Secret   string            `json:"-"`
	}
	s := newSchemas()
	ref := s.answer(view{})
	obj := s.components[ref.Ref[strings.LastIndex(ref.Ref, "/")+1:]].Value
	if _, ok := obj.Properties["Secret"]; ok {
		t.Fatal(`a json:"-" field is described`)
	}
	if got := obj.Properties["settings"].Value.Type.Slice(); got[0] != "object" {
		t.Fatalf("settings is %v: the embedded field won over the outer one", got)
	}
	if len(obj.Required) != 2 {
		t.Fatalf("required %v, want id and settings once each", obj.Required)
	}
	s.answer(widget{})
	w := s.components["Widget"]
	if w == nil {
		t.Fatalf("no Widget component: %v", s.components)
	}
	if !w.Value.Properties["note"].Value.Type.Includes("null") {
		t.Fatal("a pointer field is not nullable")
	}
	for _, r := range w.Value.Required {
		if r == "extra" {
			t.Fatal("an omitempty field is required")
		}
	}
}
