package diagram_test

import (
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

// TestObservedArrows: a connection an agent saw is drawn as its own arrow,
// from the client allocation to the destination's port pin, with its
// count, a switch that hides it, and nothing of the kind without one.
func TestObservedArrows(t *testing.T) {
	st := model.NewStore()
	st.Apply(fixture.ClientNode("node1", "client-1", "10.0.0.1"),
		alloc("redis1", "cache", "redis", "node1", model.ModeBridge, "172.26.64.6").Task("redis", []string{"db"}).
			Port("db", "10.0.0.1", 23522, 6379, false).Upsert(),
		alloc("app1", "web", "app", "node1", model.ModeBridge, "172.26.64.7").Task("app", nil).Upsert())
	plain := string(render(t, drawer.Topology(st.Snapshot(), viewmodel.Filter{})))
	if strings.Contains(plain, "observed") {
		t.Fatal("a picture without observations mentions them")
	}
	snap := st.Apply(model.ApplyObservation{At: time.Now(), Report: &model.ObservationReport{Node: "node1",
		Flows: []model.ObservedFlow{{Alloc: "app1", Side: model.SideClient, LocalIP: "172.26.64.7",
			RemoteIP: "10.0.0.1", RemotePort: 23522, Established: true, Count: 3}}}})
	d := parse(t, render(t, drawer.Topology(snap, viewmodel.Filter{})))
	arrow := d.byID["observed-host-port-app1-redis1-db"]
	if arrow == nil {
		t.Fatalf("no observed arrow; test IDs: %v", d.byID)
	}
	if !hasClass(arrow, "arrow-observed") || !strings.Contains(text(arrow), "seen ×3") {
		t.Errorf("observed arrow: class %q text %q", attr(arrow, "class"), text(arrow))
	}
	if d.byID["observed-toggle"] == nil {
		t.Error("no switch to hide observed arrows")
	}
}
