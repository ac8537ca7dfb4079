package model_test

import (
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// BenchmarkRestrict10k is what viewer login costs per scope and data
// version at fixture.Scale10k (a benchmark fake): building the restricted
// model and deriving its edges, for a scope that keeps everything but the
// nodes (the worst case: every object copied) and one that keeps nothing.
// Each iteration applies one allocation change first, so the restricted
// model is rebuilt, not taken from the memo. Results in docs/perf.md.
func BenchmarkRestrict10k(b *testing.B) {
	c := fixture.Generate(fixture.Scale10k)
	names := map[string]bool{}
	for _, s := range c.Services {
		names[s.Name] = true
	}
	all := model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "*", Read: true}}, Consul: true}
	for n := range names {
		all.Services = append(all.Services, n)
	}
	for _, bc := range []struct {
		name  string
		scope model.Scope
	}{
		{"keep-all", model.NormalizeScope(all)},
		{"keep-none", model.NormalizeScope(model.Scope{Namespaces: []model.NamespaceRule{{Pattern: "team-x", Read: true}}})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			st := model.NewStore()
			st.Apply(c.Changes()...)
			a := *c.Allocations[0]
			b.ReportAllocs()
			for i := range b.N {
				a.ModifyIndex = uint64(i + 1)
				cp := a
				snap := st.Apply(model.UpsertAllocation{Alloc: &cp})
				r := snap.Restrict(bc.scope)
				_ = r.Edges()
			}
		})
	}
}
