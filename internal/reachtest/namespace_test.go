//go:build integration

package reachtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model/reach"
)

// TestNamespaceHidesService: a template in Nomad namespace default asks for
// a service registered in namespace prod. netviz says the discovery finds
// nothing; the file Nomad rendered agrees (no address after CACHE_ADDR=).
func TestNamespaceHidesService(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	snap := snapshot(t)
	if len(snap.ServicesNamed("prod-cache")) == 0 {
		t.Fatal("prod-cache is not registered")
	}
	res, err := reach.Between(snap, "broken-namespace-ref/app", "prod-cache")
	if err != nil {
		t.Fatal(err)
	}
	var discovery []reach.Path
	for _, p := range res.Paths {
		if p.Kind == reach.PathDiscovery {
			discovery = append(discovery, p)
		}
	}
	if len(discovery) == 0 || discovery[0].Verdict != reach.VerdictUnreachable {
		t.Fatalf("discovery paths %+v, want one unreachable", discovery)
	}
	app := groupAlloc(t, snap, "broken-namespace-ref", "app")
	out, err := cluster.CLI(ctx, "nomad", "alloc", "fs", app.ID, "app/local/cache.env")
	if err != nil {
		t.Fatal(err)
	}
	if line := strings.TrimSpace(out); line != "CACHE_ADDR=" {
		t.Errorf("rendered %q: the template found an address netviz says it cannot see", line)
	}
}
