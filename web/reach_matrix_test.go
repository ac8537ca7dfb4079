package web_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/netviz/netviz/collector/model/reach"
)

func TestReachMatrixAPI(t *testing.T) {
	_, base := handlerServer(t)
	status, _, body := get(t, base, "/api/v1/reach/matrix")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	var m reach.Matrix
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	n := len(m.Services)
	if n < 2 || len(m.Cells) != n*(n-1) {
		t.Fatalf("%d services, %d cells", n, len(m.Cells))
	}
	for _, c := range m.Cells {
		if c.From == c.To || c.Verdict == "" || c.Reason == "" {
			t.Errorf("cell %+v", c)
		}
	}
}
