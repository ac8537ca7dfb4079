package web_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/graph"
	"github.com/netviz/netviz/views/fixture"
	"github.com/netviz/netviz/web"
)

// TestLiveInterest: for each kind of page, a change it does not show sends
// it nothing, and a change it shows sends it the new version. An overview
// client is the barrier: the overview is affected by everything, so once it
// has a change, the hub has flushed that change to every view.
func TestLiveInterest(t *testing.T) {
	cases := []struct {
		view      string
		unrelated graph.Change
		related   graph.Change
	}{
		{
			view:      "/allocations/" + fixture.AllocWeb,
			unrelated: graph.UpsertNode{Node: &graph.Node{ID: fixture.NodeB, Name: "marker-unrelated"}},
			// web has a Connect upstream to api.
			related: graph.UpsertService{Service: &graph.Service{ID: "api-2", Name: "api", Provider: graph.ProviderConsul, NodeID: fixture.NodeB, Health: graph.HealthPassing}},
		},
		{
			view:      "/services/redis",
			unrelated: graph.UpsertAllocation{Alloc: &graph.Allocation{ID: "x1", JobID: "marker-unrelated", NodeID: fixture.NodeB}},
			// A new allocation that looks redis up joins the page.
			related: graph.UpsertAllocation{Alloc: &graph.Allocation{ID: "x2", JobID: "consumer", NodeID: fixture.NodeB,
				Tasks: []graph.Task{{Name: "t", Refs: []graph.Ref{{Kind: graph.RefNomadService, Target: "redis", Source: "template:x"}}}}}},
		},
		{
			view:      "/nodes/" + fixture.NodeA,
			unrelated: graph.UpsertService{Service: &graph.Service{ID: "m", Name: "marker-unrelated", Provider: graph.ProviderNomad, NodeID: fixture.NodeB}},
			related:   graph.UpsertAllocation{Alloc: &graph.Allocation{ID: "x3", JobID: "newcomer", NodeID: fixture.NodeA}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.view, func(t *testing.T) {
			st := newStore(t)
			srv := web.New(st, web.Options{})
			web.SetTuning(srv, time.Millisecond, 8)
			r := serve(t, srv)
			conn := mustDial(t, r.addr, tc.view)
			readUntil(t, conn, `id="snapshot-version"`)
			barrier := mustDial(t, r.addr, "/")
			readUntil(t, barrier, `id="overview-counts"`)

			st.Apply(tc.unrelated)
			readUntil(t, barrier, "marker-unrelated")
			snap := st.Apply(tc.related)

			if err := conn.SetReadDeadline(time.Now().Add(waitLimit)); err != nil {
				t.Fatal(err)
			}
			_, msg, err := conn.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			if want := ">v" + strconv.FormatUint(snap.Version(), 10) + "<"; !strings.Contains(string(msg), want) {
				t.Errorf("first push after the changes is not the related one (version %s): the unrelated change was pushed, or the related one was not", want)
			}
		})
	}
}
