package agent

import (
	"net/netip"
	"testing"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
)

// allocWith builds an allocation as the node's allocation list gives it:
// the allocated group network's mode (none if allocated is "-") and the
// job's task group "web" asking for group.
func allocWith(status, allocated, group string) *nomadapi.Allocation {
	name := "web"
	al := &nomadapi.Allocation{
		ID: "a1", TaskGroup: name, ClientStatus: status,
		NetworkStatus: &nomadapi.AllocNetworkStatus{Address: "172.26.64.9"},
		Job: &nomadapi.Job{TaskGroups: []*nomadapi.TaskGroup{
			{Name: new("other"), Networks: []*nomadapi.NetworkResource{{Mode: "cni/other"}}},
			{Name: &name, Networks: []*nomadapi.NetworkResource{{Mode: group}}},
		}},
	}
	if allocated != "-" {
		al.AllocatedResources = &nomadapi.AllocatedResources{Shared: nomadapi.AllocatedSharedResources{
			Networks: []*nomadapi.NetworkResource{{Mode: allocated}},
		}}
	}
	return al
}

func TestToNodeAllocMode(t *testing.T) {
	tests := []struct {
		name       string
		al         *nomadapi.Allocation
		wantBridge bool
	}{
		{"allocated bridge", allocWith("running", model.ModeBridge, ""), true},
		{"allocated host", allocWith("running", model.ModeHost, ""), false},
		// The case the agent used to read as host while the model said bridge.
		{"allocated network carries no mode, group asks bridge", allocWith("running", "", model.ModeBridge), true},
		{"no allocated resources, group asks bridge", allocWith("pending", "-", model.ModeBridge), true},
		{"neither says: host", allocWith("running", "", ""), false},
		{"allocated host wins over group bridge", allocWith("running", model.ModeHost, model.ModeBridge), false},
		{"no job, no resources: host", &nomadapi.Allocation{ID: "a1", ClientStatus: "running"}, false},
		{"group not in job: host", &nomadapi.Allocation{ID: "a1", TaskGroup: "gone", ClientStatus: "running",
			Job: &nomadapi.Job{TaskGroups: []*nomadapi.TaskGroup{nil, {Name: nil}}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			na, ok := toNodeAlloc(tt.al)
			if !ok {
				t.Fatal("live allocation dropped")
			}
			if na.bridge != tt.wantBridge {
				t.Errorf("bridge = %v, want %v", na.bridge, tt.wantBridge)
			}
			if na.id != "a1" {
				t.Errorf("id = %q", na.id)
			}
		})
	}
}

func TestToNodeAllocSkipsTerminal(t *testing.T) {
	for _, status := range model.TerminalClientStatuses() {
		if _, ok := toNodeAlloc(allocWith(status, model.ModeBridge, "")); ok {
			t.Errorf("%s allocation kept", status)
		}
	}
	if _, ok := toNodeAlloc(nil); ok {
		t.Error("nil allocation kept")
	}
	na, _ := toNodeAlloc(allocWith("running", model.ModeBridge, ""))
	if na.ip != netip.MustParseAddr("172.26.64.9") {
		t.Errorf("ip = %v", na.ip)
	}
}
