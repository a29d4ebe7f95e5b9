package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"holdspace/consent"
	"holdspace/httpedge"
)

// TestOpenAPICoversRoutes fails when a registered route is missing from the
// OpenAPI document, or the document lists a route that is not registered.
func TestOpenAPICoversRoutes(t *testing.T) {
	s := New(nil, slog.New(slog.DiscardHandler), httpedge.NewMetrics(), nil)
	var documented []string
	for _, op := range operations {
		documented = append(documented, op.pattern)
	}
	for _, p := range s.Patterns() {
		if p == "/api/" {
			continue // the JSON 404 for unknown API paths
		}
		if !slices.Contains(documented, p) {
			t.Errorf("route %s is not in the OpenAPI document", p)
		}
	}
	for _, p := range documented {
		if !slices.Contains(s.Patterns(), p) {
			t.Errorf("the OpenAPI document lists %s, which is not registered", p)
		}
	}
}

// TestOpenAPIDocument loads the served document with kin-openapi and
// validates it as OpenAPI 3.1; then checks what a contract needs: an
// operationId, a tag and a success body schema on every operation, a
// parameter for every path and query variable, and the statuses handlers
// are known to answer.
func TestOpenAPIDocument(t *testing.T) {
	b, err := OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	ids := map[string]string{}
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			n++
			where := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", where)
			} else if prev, dup := ids[op.OperationID]; dup {
				t.Errorf("%s and %s share operationId %s", where, prev, op.OperationID)
			}
			ids[op.OperationID] = where
			if len(op.Tags) == 0 {
				t.Errorf("%s has no tag", where)
			}
			var success *openapi3.Response
			var code int
			for c, r := range op.Responses.Map() {
				if c[0] == '2' {
					success = r.Value
					code, _ = strconv.Atoi(c)
				}
			}
			if success == nil {
				t.Errorf("%s documents no success response", where)
				continue
			}
			if code != 204 {
				if len(success.Content) == 0 {
					t.Errorf("%s: the %d response has no content", where, code)
				}
				for mt, c := range success.Content {
					if c.Schema == nil || c.Schema.Value == nil {
						t.Errorf("%s: %d %s has no schema", where, code, mt)
					}
				}
			}
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				if op.Parameters.GetByInAndName("path", m[1]) == nil {
					t.Errorf("%s has no path parameter %s", where, m[1])
				}
			}
			if op.Security != nil && len(*op.Security) > 0 && op.Responses.Status(401) == nil {
				t.Errorf("%s authenticates but does not document 401", where)
			}
			if op.RequestBody != nil {
				for _, st := range []int{400, 413, 415} {
					if op.Responses.Status(st) == nil {
						t.Errorf("%s takes a body but does not document %d", where, st)
					}
				}
			}
		}
	}
	if n != len(operations) {
		t.Errorf("%d operations in the document, %d in the table", n, len(operations))
	}
	tok := doc.Paths.Find("/api/v1/auth/token").Post
	if tok.Security == nil || len(*tok.Security) != 0 {
		t.Errorf("token endpoint must not require auth: %v", tok.Security)
	}
	dec := doc.Paths.Find("/api/v1/decisions").Post
	if dec.RequestBody == nil || dec.Responses.Status(415) == nil {
		t.Error("decisions: no request body schema or no 415")
	}
	if doc.Paths.Find("/api/v1/clients/{id}/health-changes").Post.Responses.Status(413) == nil {
		t.Error("health changes do not document 413")
	}
	for _, q := range []struct{ path, name string }{{"/api/v1/sessions", "from"}, {"/api/v1/audit", "limit"}, {"/api/v1/follow-ups", "open"},
		{"/api/v1/clients/{id}/consent-history", "unseen"}} {
		if doc.Paths.Find(q.path).Get.Parameters.GetByInAndName("query", q.name) == nil {
			t.Errorf("GET %s has no query parameter %s", q.path, q.name)
		}
	}
	// The generated schemas follow the Go types: a session view names its
	// members as the encoder writes them, and requires those always written.
	sess := doc.Paths.Find("/api/v1/sessions/{id}").Get.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	if sess.Properties["id"] == nil || !slices.Contains(sess.Required, "id") {
		t.Errorf("session schema: %v required %v", sess.Properties, sess.Required)
	}
	if doc.Paths.Find("/api/v1/decisions").Post.Responses.Status(200).Value.Content.Get("application/json").Schema.Value.Properties["reasons"] == nil {
		t.Error("the decision schema lacks reasons")
	}
}

// TestMarshalShapes checks that each shape the generator uses for a type
// with its own MarshalJSON writes the same members.
func TestMarshalShapes(t *testing.T) {
	d, err := json.Marshal(consent.Decision{Outcome: consent.Permit})
	if err != nil {
		t.Fatal(err)
	}
	s, err := json.Marshal(decisionShape{Decision: consent.Permit, Reasons: []consent.Reason{}})
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	_ = json.Unmarshal(d, &a)
	_ = json.Unmarshal(s, &b)
	if len(a) != len(b) {
		t.Fatalf("Decision writes %s, its shape %s", d, s)
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			t.Errorf("Decision writes %s, its shape does not", k)
		}
	}
}
