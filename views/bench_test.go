package views_test

import (
	"context"
	"io"
	"strconv"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/views"
)

// fakeScaleCluster is a fake for scale benchmarks only: n allocations in
// host mode spread over nodes of 500, each with one dynamic port and one
// Nomad service, the shape measured at 7,530 allocations
// (docs/nomad-behaviour.md).
func fakeScaleCluster(n int) *model.Snapshot {
	st := model.NewStore()
	var changes []model.Change
	nodes := (n + 499) / 500
	for i := range nodes {
		id := "node-" + strconv.Itoa(i)
		changes = append(changes, model.UpsertNode{Node: &model.Node{ID: id, Name: id, Status: "ready", MinDynamicPort: 20000, MaxDynamicPort: 32000}})
	}
	var services []*model.Service
	for i := range n {
		id := "alloc-" + strconv.Itoa(i)
		node := "node-" + strconv.Itoa(i%nodes)
		job := "job-" + strconv.Itoa(i%76)
		changes = append(changes, model.UpsertAllocation{Alloc: &model.Allocation{
			ID: id, Name: job + ".g[" + strconv.Itoa(i) + "]", Namespace: "default", JobID: job, TaskGroup: "g",
			NodeID: node, ClientStatus: "running", DesiredStatus: "run",
			Network:  model.Network{Mode: model.ModeHost, IP: "127.0.0.1"},
			Ports:    []model.Port{{Label: "http", HostIP: "127.0.0.1", Value: 20000 + i/nodes}},
			Tasks:    []model.Task{{Name: "t", Driver: "mock_driver"}},
			Services: []model.ServiceSpec{{Name: job, Provider: model.ProviderNomad, PortLabel: "http"}},
		}})
		services = append(services, &model.Service{ID: "svc-" + id, Name: job, Provider: model.ProviderNomad,
			NodeID: node, AllocID: id, Address: "127.0.0.1", Port: 20000 + i/nodes, Health: model.HealthPassing})
	}
	changes = append(changes, model.ReplaceServices{Provider: model.ProviderNomad, Services: services})
	return st.Apply(changes...)
}

// BenchmarkPagesAtScale measures building and rendering the pages the hub
// re-renders on every change, at the allocation count measured in
// docs/nomad-behaviour.md.
func BenchmarkPagesAtScale(b *testing.B) {
	snap := fakeScaleCluster(7500)
	c := views.Chrome{Version: snap.Version(), Status: snap.Status()}
	pages := []struct {
		name string
		page func() views.Page
	}{
		{"overview", func() views.Page { return views.OverviewPage(c, views.NewOverview(snap, views.Filter{})) }},
		{"services", func() views.Page { return views.ServicesPage(c, views.NewServiceList(snap, views.Filter{})) }},
		{"node", func() views.Page { return views.NodePage(c, views.NewNodeView(snap, snap.Node("node-0"))) }},
		{"service", func() views.Page {
			v, _ := views.NewServiceView(snap, "job-1")
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
