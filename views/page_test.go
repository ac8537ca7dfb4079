package views_test

import (
	"strconv"
	"testing"

	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

// TestGoldenPages renders every page of the fixture cluster and compares it
// with its golden file.
func TestGoldenPages(t *testing.T) {
	snap := cluster(t)
	web := snap.Allocation(fixture.AllocWeb)
	node := snap.Node(fixture.NodeA)
	api, _ := viewmodel.NewServiceView(snap, "api")
	redis, _ := viewmodel.NewServiceView(snap, "redis")
	_, ambiguous := viewmodel.FindAllocation(snap, "a1c0ffee")
	cases := []struct {
		name string
		page views.Page
	}{
		{"overview", views.OverviewPage(chrome(snap, "/"), viewmodel.NewOverview(snap, viewmodel.Filter{}))},
		{"overview_job_web", views.OverviewPage(chrome(snap, "/?job=web"), viewmodel.NewOverview(snap, viewmodel.Filter{Job: "web"}))},
		{"topology", views.TopologyPage(chrome(snap, "/topology"), snap, viewmodel.Filter{})},
		{"allocation_web", views.AllocationPage(chrome(snap, "/allocations/"+web.ID), snap, viewmodel.NewAllocationView(snap, web))},
		{"allocation_candidates", views.CandidatesPage(chrome(snap, "/allocations/a1c0ffee"), ambiguous)},
		{"node_a", views.NodePage(chrome(snap, "/nodes/"+node.ID), viewmodel.NewNodeView(snap, node))},
		{"services", views.ServicesPage(chrome(snap, "/services"), viewmodel.NewServiceList(snap, viewmodel.Filter{}))},
		{"service_api", views.ServicePage(chrome(snap, "/services/api"), api)},
		{"service_redis", views.ServicePage(chrome(snap, "/services/redis"), redis)},
		{"reach_web_api", views.ReachPage(chrome(snap, "/reach?from=web&to=api"), viewmodel.NewReachView(snap, "web", "api", reach.Window{}), viewmodel.ReachSuggestions(snap))},
		{"not_found", views.NotFoundPage(chrome(snap, "/nodes/nope"), "node", "nope")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertGolden(t, tc.name, renderPage(t, tc.page))
		})
	}
}

// TestPageChrome checks what every page carries: the live connection, the
// snapshot version, the source states and one element per fragment.
func TestPageChrome(t *testing.T) {
	snap := cluster(t)
	p := views.OverviewPage(chrome(snap, "/?q=web"), viewmodel.NewOverview(snap, viewmodel.Filter{Text: "web"}))
	d := doc(t, renderPage(t, p))

	live := d.Find(testid("live"))
	if got, want := live.AttrOr("ws-connect", ""), "/ws?view=%2F%3Fq%3Dweb"; got != want {
		t.Errorf("ws-connect = %q, want %q", got, want)
	}
	if got := d.Find("body").AttrOr("hx-ext", ""); got != "ws" {
		t.Errorf("body hx-ext = %q, want ws", got)
	}
	if got, want := text(d.Find(testid("snapshot-version"))), "v"+strconv.FormatUint(snap.Version(), 10); got != want {
		t.Errorf("version = %q, want %q", got, want)
	}
	if got := text(d.Find(testid("source-nomad"))); got != "nomad: connected" {
		t.Errorf("nomad badge = %q", got)
	}
	if got := d.Find(testid("filter-text")).AttrOr("value", ""); got != "web" {
		t.Errorf("filter text input = %q, want web", got)
	}
	for _, f := range p.Fragments {
		if d.Find("#"+f.ID).Length() != 1 {
			t.Errorf("fragment #%s missing", f.ID)
		}
	}
}

// TestPush checks the live update: each fragment as an out-of-band inner
// swap with its page id, the version and sources, and never the filter form
// (which would lose what the user is typing).
func TestPush(t *testing.T) {
	snap := cluster(t)
	p := views.NodePage(chrome(snap, "/nodes/"+fixture.NodeA), viewmodel.NewNodeView(snap, snap.Node(fixture.NodeA)))
	d := doc(t, renderString(t, views.Push(p)))

	swaps := d.Find("[hx-swap-oob]")
	want := map[string]string{views.IDShape: "true", views.IDVersion: "innerHTML", views.IDSources: "innerHTML"}
	for _, f := range p.Fragments {
		want[f.ID] = "innerHTML"
	}
	if swaps.Length() != len(want) {
		t.Errorf("push has %d swaps, want %d", swaps.Length(), len(want))
	}
	for id, how := range want {
		if got := d.Find("#"+id).AttrOr("hx-swap-oob", ""); got != how {
			t.Errorf("#%s hx-swap-oob = %q, want %q", id, got, how)
		}
	}
	if d.Find("form").Length() != 0 {
		t.Error("push contains a form")
	}
	if got := d.Find(testid("node-port")).Length(); got != 5 {
		t.Errorf("push shows %d node ports, want 5", got)
	}
}
