package httpapi

import (
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"

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

func TestOpenAPIDocument(t *testing.T) {
	b, err := json.Marshal(OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	for path, item := range doc.Paths {
		for method, op := range item {
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s has no responses", method, path)
			}
			if strings.Contains(path, "{") {
				if ps, _ := op["parameters"].([]any); len(ps) == 0 {
					t.Errorf("%s %s has no path parameters", method, path)
				}
			}
		}
	}
	tok := doc.Paths["/api/v1/auth/token"]["post"]
	if sec, _ := tok["security"].([]any); len(sec) != 0 {
		t.Errorf("token endpoint must not require auth: %v", tok["security"])
	}
	if _, ok := doc.Paths["/api/v1/decisions"]["post"]["requestBody"]; !ok {
		t.Error("decisions has no request body schema")
	}
}
