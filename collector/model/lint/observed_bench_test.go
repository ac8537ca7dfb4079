package lint_test

import (
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
	"github.com/netviz/netviz/internal/fixture"
)

// observedBenchSnap is the fake cluster of fixture.Generate with 2,000
// allocations on 20 nodes, and agents' reports of 5,000 connections between
// bridge allocations' namespace addresses (every client to a few
// destinations, each to its first port), so ObservedEdges has 5,000 edges.
// A benchmark fake: the flows are made up, not measured.
func observedBenchSnap(b *testing.B) *model.Snapshot {
	b.Helper()
	c := fixture.Generate(fixture.SyntheticConfig{Nodes: 20, Allocations: 2000, Seed: 1})
	var bridge []*model.Allocation
	for _, a := range c.Allocations {
		if a.Network.Mode == model.ModeBridge {
			bridge = append(bridge, a)
		}
	}
	reports := map[string]*model.ObservationReport{}
	for k := range 5000 {
		a := bridge[k%len(bridge)]
		d := bridge[(k%len(bridge)+1+k/len(bridge)*7)%len(bridge)]
		r := reports[a.NodeID]
		if r == nil {
			r = &model.ObservationReport{Node: a.NodeID}
			reports[a.NodeID] = r
		}
		r.Flows = append(r.Flows, model.ObservedFlow{Alloc: a.ID, Side: model.SideClient, LocalIP: a.Network.IP,
			RemoteIP: d.Network.IP, RemotePort: d.Ports[0].InsidePort(), Established: true, Count: 1})
	}
	st := model.NewStore()
	st.Apply(c.Changes()...)
	at := time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)
	for _, r := range reports {
		if err := r.Validate(); err != nil {
			b.Fatal(err)
		}
		st.Apply(model.ApplyObservation{Report: r, At: at})
	}
	s := st.Snapshot()
	if n := len(s.ObservedEdges()); n != 5000 {
		b.Fatalf("%d observed edges, want 5000", n)
	}
	s.Edges() // derived once per snapshot, as in a server; not what is measured
	return s
}

// BenchmarkUndeclaredDependency2k runs the undeclared-dependency lint alone
// on observedBenchSnap's snapshot (its observed and declared edges already
// derived, as they are once per snapshot).
func BenchmarkUndeclaredDependency2k(b *testing.B) {
	s := observedBenchSnap(b)
	var check func(*model.Snapshot) []model.Warning
	for _, l := range lint.All {
		if l.Name == "undeclared-dependency" {
			check = l.Check
		}
	}
	for b.Loop() {
		b.ReportMetric(float64(len(check(s))), "warnings")
	}
}
