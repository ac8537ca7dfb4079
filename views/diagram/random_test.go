package diagram_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// randomCluster builds a small cluster from a seed: random modes, ports
// (some static, some sidecars), Connect upstreams, discovery references
// and same-namespace references, so Graphviz meets shapes the hand-made
// fixtures do not (cycles, self-references, crowded hosts).
func randomCluster(seed uint64) *model.Snapshot {
	r := rand.New(rand.NewPCG(seed, 0))
	nodes := 1 + r.IntN(3)
	var changes []model.Change
	for n := range nodes {
		changes = append(changes, fixture.ClientNode(fmt.Sprintf("n%d", n), fmt.Sprintf("c%d", n), fmt.Sprintf("10.0.0.%d", n)))
	}
	services := []string{"web", "api", "db", "cache"}
	modes := []string{model.ModeHost, model.ModeBridge, model.ModeBridge, "cni/x"}
	for i := range 2 + r.IntN(12) {
		svc := services[r.IntN(len(services))]
		a := alloc(fmt.Sprintf("a%d", i), svc, "g", fmt.Sprintf("n%d", r.IntN(nodes)), modes[r.IntN(len(modes))], fmt.Sprintf("172.26.64.%d", i))
		var refs []model.Ref
		for range r.IntN(3) {
			target := services[r.IntN(len(services))]
			switch r.IntN(3) {
			case 0:
				refs = append(refs, model.Ref{Kind: model.RefNomadService, Target: target, Text: fmt.Sprintf("nomadService %q", target)})
			case 1:
				refs = append(refs, model.Ref{Kind: model.RefEnvAddr, Target: "side", Source: "NOMAD_ADDR_side"})
			default:
				refs = append(refs, model.Ref{Kind: model.RefEnvUpstream, Target: target})
			}
		}
		a.Task("main", []string{"http"}, refs...).DriverTask("side", "exec", []string{"side"})
		http := 20000 + r.IntN(12000)
		side := 1000 + r.IntN(100)
		a.Port("http", "10.0.0.1", http, 8080, false).Port("side", "10.0.0.1", side, 0, r.IntN(2) == 0)
		spec := model.ServiceSpec{Name: svc, Provider: model.ProviderNomad, PortLabel: "http"}
		if r.IntN(2) == 0 {
			a.Sidecar(svc).Port("connect-proxy-"+svc, "10.0.0.1", 21000+i, 0, false)
			spec.Provider = model.ProviderConsul
			spec.Connect = &model.ConnectSpec{Kind: model.ConnectSidecar,
				Upstreams: []model.Upstream{fixture.Upstream(services[r.IntN(len(services))], 5000)}}
		}
		a.Spec(spec)
		changes = append(changes, a.Upsert())
		if r.IntN(3) > 0 {
			changes = append(changes, fixture.Instance(a.Build(), model.ProviderNomad, svc, "http", http).Upsert())
		}
	}
	return fixture.Snapshot(changes...)
}

// TestRandomClusters lays out seeded random clusters: none may fail, and
// the nesting checked by TestGeometry must hold for each.
func TestRandomClusters(t *testing.T) {
	d := diagram.NewDrawer(0, diagram.WithDeadline(0))
	defer d.Close()
	for seed := range uint64(25) {
		snap := randomCluster(seed)
		l, err := d.TopologyLayout(context.Background(), snap, viewmodel.Filter{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, n := range l.Namespaces {
			in := false
			for _, h := range l.Hosts {
				in = in || h.Rect.Contains(n.Rect)
			}
			if !in {
				t.Errorf("seed %d: namespace %s outside every host", seed, n.TestID)
			}
		}
		if _, err := d.NamespaceLayout(context.Background(), snap, "a0"); err != nil {
			t.Errorf("seed %d: namespace view: %v", seed, err)
		}
	}
}
