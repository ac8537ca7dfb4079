package web_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// TestLiveInterest: for each kind of page, a change it does not show sends
// it nothing, and a change it shows sends it the new version. An overview
// client is the barrier: the overview is affected by everything, so once it
// has a change, the hub has flushed that change to every view.
// pushedVersion reads the snapshot version a push carries (">vN<"), or 0.
func pushedVersion(msg string) uint64 {
	i := strings.Index(msg, ">v")
	if i < 0 {
		return 0
	}
	j := strings.Index(msg[i:], "<")
	if j < 0 {
		return 0
	}
	v, _ := strconv.ParseUint(msg[i+2:i+j], 10, 64)
	return v
}

func TestLiveInterest(t *testing.T) {
	cases := []struct {
		view      string
		unrelated model.Change
		related   model.Change
	}{
		{
			view:      "/allocations/" + fixture.AllocWeb,
			unrelated: model.UpsertNode{Node: &model.Node{ID: fixture.NodeB, Name: "marker-unrelated"}},
			// web has a Connect upstream to api.
			related: model.UpsertService{Service: &model.Service{ID: "api-2", Name: "api", Provider: model.ProviderConsul, NodeID: fixture.NodeB, Health: model.HealthPassing}},
		},
		{
			view:      "/services/redis",
			unrelated: model.UpsertAllocation{Alloc: &model.Allocation{ID: "x1", JobID: "marker-unrelated", NodeID: fixture.NodeB}},
			// A new allocation that looks redis up joins the page.
			related: model.UpsertAllocation{Alloc: &model.Allocation{ID: "x2", JobID: "consumer", NodeID: fixture.NodeB,
				Tasks: []model.Task{{Name: "t", Refs: []model.Ref{{Kind: model.RefNomadService, Target: "redis", Source: "template:x"}}}}}},
		},
		{
			view:      "/nodes/" + fixture.NodeA,
			unrelated: model.UpsertService{Service: &model.Service{ID: "m", Name: "marker-unrelated", Provider: model.ProviderNomad, NodeID: fixture.NodeB}},
			related:   model.UpsertAllocation{Alloc: &model.Allocation{ID: "x3", JobID: "newcomer", NodeID: fixture.NodeA}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.view, func(t *testing.T) {
			st, srv := quickServer(t, 8)
			r := serve(t, srv)
			conn := mustDial(t, r.addr, tc.view)
			readUntil(t, conn, `id="snapshot-version"`)
			barrier := mustDial(t, r.addr, "/")
			readUntil(t, barrier, `id="overview-counts"`)

			before := st.Snapshot().Version()
			unrelated := st.Apply(tc.unrelated)
			readUntil(t, barrier, "marker-unrelated")
			snap := st.Apply(tc.related)

			// Pushes for versions before the unrelated change (the hub's
			// first, full render may still be on its way) are skipped; the
			// unrelated version must never come, the related one must.
			deadline := time.Now().Add(waitLimit)
			for {
				if err := conn.SetReadDeadline(deadline); err != nil {
					t.Fatal(err)
				}
				_, msg, err := conn.ReadMessage()
				if err != nil {
					t.Fatalf("no push of the related change (version %d): %v", snap.Version(), err)
				}
				v := pushedVersion(string(msg))
				if v == unrelated.Version() {
					t.Fatalf("the unrelated change (version %d) was pushed to %s", v, tc.view)
				}
				if v == snap.Version() {
					break
				}
				if v > before {
					t.Fatalf("unexpected push of version %d (unrelated %d, related %d)", v, unrelated.Version(), snap.Version())
				}
			}
		})
	}
}
