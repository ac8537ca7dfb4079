package agent

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/netviz/netviz/collector/model"
)

// TestSenderRefusals: what the server refuses for good (malformed,
// invalid) is told apart from what may pass later (credentials, errors).
func TestSenderRefusals(t *testing.T) {
	for status, permanent := range map[int]bool{401: false, 422: true, 400: true, 413: true, 503: false} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer s" || r.URL.Path != ReportPath {
				t.Errorf("request %s with %q", r.URL.Path, r.Header.Get("Authorization"))
			}
			http.Error(w, "no", status)
		}))
		err := (&HTTPSender{URL: ts.URL, Secret: "s"}).Send(context.Background(), &model.ObservationReport{Node: "n"})
		ts.Close()
		var refused *RefusedError
		if !errors.As(err, &refused) || refused.Permanent() != permanent {
			t.Errorf("status %d: %v (permanent want %v)", status, err, permanent)
		}
	}
}
