package views_test

import (
	"context"
	"io"
	"testing"

	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

// BenchmarkPagesAtScale measures building and rendering the pages the hub
// re-renders on every change, at about the allocation count measured in
// docs/nomad-behaviour.md: 7,500 allocations of 75 jobs on 15 nodes (fake
// data, fixture.Jobs).
func BenchmarkPagesAtScale(b *testing.B) {
	snap := fixture.Snapshot(fixture.Jobs(15, 75, 100)...)
	c := views.Chrome{Version: snap.Version(), Status: snap.Status()}
	pages := []struct {
		name string
		page func() views.Page
	}{
		{"overview", func() views.Page { return views.OverviewPage(c, viewmodel.NewOverview(snap, viewmodel.Filter{})) }},
		{"services", func() views.Page { return views.ServicesPage(c, viewmodel.NewServiceList(snap, viewmodel.Filter{})) }},
		{"node", func() views.Page { return views.NodePage(c, viewmodel.NewNodeView(snap, snap.Node("node00"))) }},
		{"service", func() views.Page {
			v, _ := viewmodel.NewServiceView(snap, "job01")
			return views.ServicePage(c, v)
		}},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				if err := views.Push(p.page()).Render(context.Background(), io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
