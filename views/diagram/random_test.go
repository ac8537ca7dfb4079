package diagram_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/netviz/netviz/collector/graph"
	"github.com/netviz/netviz/views/diagram"
)

// randomCluster builds a small cluster from a seed: random modes, ports
// (some static, some sidecars), Connect upstreams, discovery references
// and same-namespace references, so Graphviz meets shapes the hand-made
// fixtures do not (cycles, self-references, crowded hosts).
func randomCluster(seed uint64) *graph.Snapshot {
	r := rand.New(rand.NewPCG(seed, 0))
	nodes := 1 + r.IntN(3)
	var changes []graph.Change
	for n := range nodes {
		changes = append(changes, node(fmt.Sprintf("n%d", n), fmt.Sprintf("c%d", n), fmt.Sprintf("10.0.0.%d", n)))
	}
	services := []string{"web", "api", "db", "cache"}
	modes := []string{graph.ModeHost, graph.ModeBridge, graph.ModeBridge, "cni/x"}
	for i := range 2 + r.IntN(12) {
		svc := services[r.IntN(len(services))]
		a := alloc(fmt.Sprintf("a%d", i), svc, "g", fmt.Sprintf("n%d", r.IntN(nodes)), modes[r.IntN(len(modes))], fmt.Sprintf("172.26.64.%d", i))
		var refs []graph.Ref
		for range r.IntN(3) {
			target := services[r.IntN(len(services))]
			switch r.IntN(3) {
			case 0:
				refs = append(refs, graph.Ref{Kind: graph.RefNomadService, Target: target, Text: fmt.Sprintf("nomadService %q", target)})
			case 1:
				refs = append(refs, graph.Ref{Kind: graph.RefEnvAddr, Target: "side", Source: "NOMAD_ADDR_side"})
			default:
				refs = append(refs, graph.Ref{Kind: graph.RefEnvUpstream, Target: target})
			}
		}
		a.Tasks = []graph.Task{task("main", "docker", []string{"http"}, refs...), task("side", "exec", []string{"side"})}
		a.Ports = []graph.Port{
			{Label: "http", HostIP: "10.0.0.1", Value: 20000 + r.IntN(12000), To: 8080},
			{Label: "side", HostIP: "10.0.0.1", Value: 1000 + r.IntN(100), Static: r.IntN(2) == 0},
		}
		spec := graph.ServiceSpec{Name: svc, Provider: graph.ProviderNomad, PortLabel: "http"}
		if r.IntN(2) == 0 {
			a.Tasks = append(a.Tasks, sidecar(svc))
			a.Ports = append(a.Ports, graph.Port{Label: "connect-proxy-" + svc, HostIP: "10.0.0.1", Value: 21000 + i})
			spec.Provider = graph.ProviderConsul
			spec.Connect = &graph.ConnectSpec{Kind: graph.ConnectSidecar,
				Upstreams: []graph.Upstream{{DestinationName: services[r.IntN(len(services))], LocalBindPort: 5000}}}
		}
		a.Services = []graph.ServiceSpec{spec}
		changes = append(changes, graph.UpsertAllocation{Alloc: a})
		if r.IntN(3) > 0 {
			changes = append(changes, nomadService(a, svc, "http", a.Ports[0].Value))
		}
	}
	return snapshot(changes...)
}

// TestRandomClusters lays out seeded random clusters: none may fail, and
// the nesting checked by TestGeometry must hold for each.
func TestRandomClusters(t *testing.T) {
	d := diagram.NewDrawer(0)
	defer d.Close()
	for seed := range uint64(25) {
		snap := randomCluster(seed)
		l, err := d.TopologyLayout(context.Background(), snap, diagram.Filter{})
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
