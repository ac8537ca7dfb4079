//go:build integration

package reachtest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model/reach"
)

// TestIngressRoutes: netviz says outside traffic reaches web through the
// ingress's static port by its Host() rule; a request to that address with
// that Host header is answered by one of web's instances.
func TestIngressRoutes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := reach.Between(snapshot(t), reach.FromExternal, "web")
	if err != nil {
		t.Fatal(err)
	}
	var ingress []reach.Path
	for _, p := range res.Paths {
		if p.Kind == reach.PathIngress && p.Verdict == reach.VerdictReachable {
			ingress = append(ingress, p)
		}
	}
	if len(ingress) == 0 {
		t.Fatalf("no reachable ingress path: %+v", res.Paths)
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 5 * time.Second}
	for _, p := range ingress {
		if !inCluster(p.Address) {
			t.Fatalf("ingress address %s is outside the cluster", p.Address)
		}
		pollUntil(t, "GET web through "+p.Address, func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.Address+"/", nil)
			if err != nil {
				return err
			}
			req.Host = "web.netviz.test"
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Routed-To") == "" {
				return &statusError{resp.StatusCode}
			}
			return nil
		})
	}
	t.Logf("%d ingress paths to web answered through the router", len(ingress))
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "status " + http.StatusText(e.code) }
