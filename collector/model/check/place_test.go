package check

import (
	"slices"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// Placement on a fake two-node cluster (pure unit tests).
func twoNodes() *model.Snapshot {
	n1 := &model.Node{ID: "n1", Name: "node-1", Datacenter: "dc1", Address: "10.0.0.1", Status: "ready",
		MinDynamicPort: 20000, MaxDynamicPort: 20009, ReservedPorts: []int{22, 20000},
		HostNetworks: []model.HostNetwork{{Name: "public", CIDR: "192.0.2.1/24"}}}
	n2 := &model.Node{ID: "n2", Name: "node-2", Datacenter: "dc2", Address: "10.0.0.2", Status: "ready",
		MinDynamicPort: 20000, MaxDynamicPort: 20009}
	down := &model.Node{ID: "n3", Name: "node-3", Datacenter: "dc1", Address: "10.0.0.3", Status: "down"}
	return fixture.Snapshot(model.UpsertNode{Node: n1}, model.UpsertNode{Node: n2}, model.UpsertNode{Node: down})
}

func group(name string, count int, ports ...model.Port) Group {
	return Group{Name: name, Count: count, Alloc: &model.Allocation{TaskGroup: name, Network: model.Network{Mode: model.ModeBridge},
		Ports: ports, Tasks: []model.Task{{Name: name, Driver: "raw_exec"}}}}
}

func TestPlacementRules(t *testing.T) {
	snap := twoNodes()
	tests := []struct {
		name  string
		job   Job
		nodes []string
		unpl  int
		codes []string
	}{
		{"spread over ready nodes", Job{ID: "a", Type: "service", Groups: []Group{group("g", 2)}}, []string{"node-1", "node-2"}, 0, nil},
		{"datacenter glob", Job{ID: "a", Type: "service", Datacenters: []string{"dc2*"}, Groups: []Group{group("g", 1)}}, []string{"node-2"}, 0, nil},
		{"one static port per node", Job{ID: "a", Type: "service", Groups: []Group{group("g", 3, model.Port{Label: "p", Value: 8080, Static: true})}},
			[]string{"node-1", "node-2"}, 1, []string{CodeUnplaced}},
		{"reserved port", Job{ID: "a", Type: "service", Groups: []Group{group("g", 2, model.Port{Label: "ssh", Value: 22, Static: true})}},
			[]string{"node-2"}, 1, []string{CodeUnplaced}},
		{"host network only on one node", Job{ID: "a", Type: "service", Groups: []Group{group("g", 2, model.Port{Label: "p", HostNetwork: "public"})}},
			[]string{"node-1", "node-1"}, 0, nil},
		{"unknown host network", Job{ID: "a", Type: "service", Groups: []Group{group("g", 1, model.Port{Label: "p", HostNetwork: "nope"})}},
			[]string{}, 1, []string{CodeHostNetworkMissing, CodeUnplaced}},
		{"system job: one per node", Job{ID: "a", Type: "system", Groups: []Group{group("g", 1)}}, []string{"node-1", "node-2"}, 0, nil},
		{"no node in the pool", Job{ID: "a", Type: "service", NodePool: "gpu", Groups: []Group{group("g", 1)}}, []string{}, 1, []string{CodeNoEligibleNode, CodeUnplaced}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.job.Namespace = "default"
			r := Run(snap, tt.job, Plan{})
			got := slices.Sorted(slices.Values(r.Placements[0].Nodes))
			if !slices.Equal(got, tt.nodes) || r.Placements[0].Unplaced != tt.unpl {
				t.Errorf("placed on %v (%d unplaced), want %v (%d)", got, r.Placements[0].Unplaced, tt.nodes, tt.unpl)
			}
			var codes []string
			for _, w := range r.Problems {
				codes = append(codes, w.Code)
			}
			if !slices.Equal(codes, tt.codes) {
				t.Errorf("problems %v, want %v", codes, tt.codes)
			}
		})
	}
}

// TestDynamicPortsAndHeadroom: a new dynamic port takes the lowest free,
// unreserved port of the range, and the headroom counts it.
func TestDynamicPortsAndHeadroom(t *testing.T) {
	snap := twoNodes()
	job := Job{Namespace: "default", ID: "a", Type: "service", Datacenters: []string{"dc1"},
		Groups: []Group{group("g", 1, model.Port{Label: "http", To: 8080}, model.Port{Label: "pub", HostNetwork: "public"})}}
	r, after := Predict(snap, job, Plan{})
	a := after.AllocationsOfJob("default", "a")
	if len(a) != 1 {
		t.Fatalf("placed %d", len(a))
	}
	if p, _ := a[0].PortByLabel("http"); p.Value != 20001 || p.HostIP != "10.0.0.1" {
		t.Errorf("http %+v, want 20001 on the node's address (20000 is reserved)", p)
	}
	if p, _ := a[0].PortByLabel("pub"); p.Value != 20002 || p.HostIP != "192.0.2.1" {
		t.Errorf("pub %+v, want 20002 on the host network's address", p)
	}
	want := Headroom{Node: "node-1", Min: 20000, Max: 20009, Free: 9, After: 7, Needed: 2}
	if len(r.Headroom) != 1 || r.Headroom[0] != want {
		t.Errorf("headroom %+v, want %+v", r.Headroom, want)
	}
	if len(snap.AllocationsOfJob("default", "a")) != 0 {
		t.Error("the snapshot checked holds the prediction")
	}
}
