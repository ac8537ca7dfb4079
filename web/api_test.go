package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/netviz/netviz/collector/model/lint"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

// get fetches a path and returns status, headers and body.
func get(t *testing.T, base, path string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return resp.StatusCode, resp.Header, body
}

func TestJSONAPI(t *testing.T) {
	_, base := handlerServer(t)

	cases := []struct {
		path   string
		status int
		// check inspects the decoded body; nil checks only the status.
		check func(t *testing.T, body map[string]any)
	}{
		{"/api/v1/overview", 200, func(t *testing.T, b map[string]any) {
			wantNumber(t, b, "allocations", 5)
			wantNumber(t, b, "nodes", 2)
		}},
		{"/api/v1/overview?job=ingress", 200, func(t *testing.T, b map[string]any) { wantNumber(t, b, "allocations", 2) }},
		{"/api/v1/topology?job=web", 200, func(t *testing.T, b map[string]any) {
			if got := len(b["allocations"].([]any)); got != 1 {
				t.Errorf("%d allocations, want 1", got)
			}
			if got := len(b["edges"].([]any)); got != 2 {
				t.Errorf("%d edges, want web's upstream and discovery", got)
			}
		}},
		{"/api/v1/allocations/" + fixture.AllocWeb, 200, func(t *testing.T, b map[string]any) {
			if got := b["allocation"].(map[string]any)["id"]; got != fixture.AllocWeb {
				t.Errorf("allocation.id = %v", got)
			}
			if got := b["ports"].([]any)[0].(map[string]any)["mapping"]; got != "10.0.0.11:20002 → 8080" {
				t.Errorf("first port mapping = %v", got)
			}
		}},
		{"/api/v1/allocations/b2d0", 200, nil},
		{"/api/v1/allocations/a1c0ffee", http.StatusMultipleChoices, func(t *testing.T, b map[string]any) {
			if got := len(b["allocations"].([]any)); got != 2 {
				t.Errorf("%d candidates, want 2", got)
			}
		}},
		{"/api/v1/allocations/ffffffff", 404, nil},
		{"/api/v1/nodes/" + fixture.NodeA, 200, func(t *testing.T, b map[string]any) {
			wantNumber(t, b["dynamic_range"].(map[string]any), "used", 3)
		}},
		{"/api/v1/nodes/nope", 404, func(t *testing.T, b map[string]any) {
			if b["error"] == nil {
				t.Error("no error message")
			}
		}},
		{"/api/v1/services", 200, func(t *testing.T, b map[string]any) {
			if got := len(b["services"].([]any)); got != 4 {
				t.Errorf("%d services, want 4", got)
			}
		}},
		{"/api/v1/services/api", 200, func(t *testing.T, b map[string]any) {
			down := b["downstreams"].([]any)
			if len(down) != 1 || down[0].(map[string]any)["intention"] != "deny" {
				t.Errorf("downstreams = %v, want one denied", down)
			}
		}},
		{"/api/v1/services/nope", 404, nil},
		{"/api/v1/reach?from=web&to=api", 200, func(t *testing.T, b map[string]any) {
			if got := b["result"].(map[string]any)["verdict"]; got != "blocked" {
				t.Errorf("verdict %v, want blocked", got)
			}
		}},
		{"/api/v1/reach?from=web&to=nope", 404, nil},
		{"/api/v1/nope", 404, nil},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			status, h, body := get(t, base, tc.path)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if ct := h.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var b map[string]any
			if err := json.Unmarshal(body, &b); err != nil {
				t.Fatalf("decode: %v: %s", err, body)
			}
			if tc.check != nil {
				tc.check(t, b)
			}
		})
	}
}

func TestGraphAndWarnings(t *testing.T) {
	st, base := handlerServer(t)

	status, _, body := get(t, base, "/api/v1/graph")
	want, err := viewmodel.GraphJSON(st.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if status != 200 || string(body) != string(want) {
		t.Errorf("/api/v1/graph: status %d, body differs from the snapshot's JSON: %v", status, string(body) != string(want))
	}

	status, _, body = get(t, base, "/api/v1/warnings")
	var ws []map[string]any
	if err := json.Unmarshal(body, &ws); err != nil || status != 200 {
		t.Fatalf("warnings: status %d, %v", status, err)
	}
	codes := map[any]int{}
	for _, w := range ws {
		codes[w["code"]]++
	}
	if codes["port-conflict"] != 1 || len(ws) != len(lint.Warnings(st.Snapshot())) {
		t.Errorf("warning codes %v, want the model's %d warnings with one port-conflict", codes, len(lint.Warnings(st.Snapshot())))
	}
	_, _, body = get(t, base, "/api/v1/warnings?q=no-such-thing")
	if string(body) != "[]\n" {
		t.Errorf("filtered warnings = %s, want []", body)
	}
}

func wantNumber(t *testing.T, b map[string]any, key string, want float64) {
	t.Helper()
	if got, _ := b[key].(float64); got != want {
		t.Errorf("%s = %v, want %v", key, b[key], want)
	}
}
