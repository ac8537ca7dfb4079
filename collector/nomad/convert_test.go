package nomad

import (
	"encoding/json"
	"testing"

	"github.com/netviz/netviz/collector/model"
)

// TestConvertNetworkMode checks convertNetwork reads the mode through
// model.NetworkMode (allocated network, else the group's ask, else host)
// and takes the address that goes with it.
func TestConvertNetworkMode(t *testing.T) {
	const status = `"NetworkStatus":{"InterfaceName":"eth0","Address":"172.26.64.9"}`
	tests := []struct {
		name, alloc, groupMode string
		want                   model.Network
	}{
		{"allocated bridge", `{"AllocatedResources":{"Shared":{"Networks":[{"Mode":"bridge"}]}},` + status + `}`, "",
			model.Network{Mode: model.ModeBridge, IP: "172.26.64.9", Interface: "eth0"}},
		{"no resources, group asks bridge", `{` + status + `}`, model.ModeBridge,
			model.Network{Mode: model.ModeBridge, IP: "172.26.64.9", Interface: "eth0"}},
		{"allocated network without mode, group asks bridge", `{"AllocatedResources":{"Shared":{"Networks":[{"IP":"10.0.0.5"}]}},` + status + `}`, model.ModeBridge,
			model.Network{Mode: model.ModeBridge, IP: "172.26.64.9", Interface: "eth0"}},
		{"host: the allocated IP", `{"AllocatedResources":{"Shared":{"Networks":[{"Mode":"host","IP":"10.0.0.5"}]}}}`, model.ModeBridge,
			model.Network{Mode: model.ModeHost, IP: "10.0.0.5"}},
		{"nothing says: host at the node address", `{}`, "",
			model.Network{Mode: model.ModeHost, IP: "10.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a apiAlloc
			if err := json.Unmarshal([]byte(tt.alloc), &a); err != nil {
				t.Fatal(err)
			}
			group := &apiGroup{Name: "web"}
			if tt.groupMode != "" {
				group.Networks = []apiNetwork{{Mode: tt.groupMode}}
			}
			if got := convertNetwork(&a, group, "10.0.0.1"); got != tt.want {
				t.Errorf("convertNetwork = %+v, want %+v", got, tt.want)
			}
		})
	}
}
