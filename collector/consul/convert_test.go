package consul

import (
	"testing"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/model"
)

const testAllocID = "b4e61df9-b095-d64e-f241-23860da1375f"

func TestParseNomadServiceID(t *testing.T) {
	tests := []struct {
		name, id, service string
		want              nomadServiceRef
		ok                bool
	}{
		{"task service", "_nomad-task-" + testAllocID + "-redis-cache-db", "cache",
			nomadServiceRef{AllocID: testAllocID, Task: "redis", PortLabel: "db"}, true},
		{"group service", "_nomad-task-" + testAllocID + "-group-web-web-http", "web",
			nomadServiceRef{AllocID: testAllocID, PortLabel: "http"}, true},
		{"dashes everywhere", "_nomad-task-" + testAllocID + "-my-task-my-svc-my-port", "my-svc",
			nomadServiceRef{AllocID: testAllocID, Task: "my-task", PortLabel: "my-port"}, true},
		{"sidecar of a group service", "_nomad-task-" + testAllocID + "-group-api-api-9001-sidecar-proxy", "api",
			nomadServiceRef{AllocID: testAllocID, PortLabel: "9001"}, true},
		{"name not found keeps the alloc", "_nomad-task-" + testAllocID + "-t-other-p", "cache",
			nomadServiceRef{AllocID: testAllocID}, true},
		{"nomad agent", "_nomad-client-2ztuhh7bu4k2yo7pc5w4grxbdfcrizzp", "nomad-client", nomadServiceRef{}, false},
		{"hand registered", "web", "web", nomadServiceRef{}, false},
		{"short id", "_nomad-task-b4e61df9", "x", nomadServiceRef{}, false},
		{"not a uuid", "_nomad-task-b4e61df9xb095-d64e-f241-23860da1375f-t-x-p", "x", nomadServiceRef{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseNomadServiceID(tt.id, tt.service)
			if ok != tt.ok || got != tt.want {
				t.Errorf("parseNomadServiceID(%q, %q) = %+v, %v; want %+v, %v", tt.id, tt.service, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestConvertService(t *testing.T) {
	proxyID := "_nomad-task-" + testAllocID + "-group-app-app-http-sidecar-proxy"
	tests := []struct {
		name string
		in   *consulapi.AgentService
		want func(t *testing.T, s *model.Service)
	}{
		{"node address when the service has none", &consulapi.AgentService{ID: "web", Service: "web", Port: 80},
			func(t *testing.T, s *model.Service) {
				if s.Address != "10.0.0.1" || s.ID != "node1/web" || s.NodeID != "node1" || s.Provider != model.ProviderConsul {
					t.Errorf("got %+v", s)
				}
			}},
		{"sidecar proxy", &consulapi.AgentService{
			Kind: consulapi.ServiceKindConnectProxy, ID: proxyID, Service: "app-sidecar-proxy", Address: "10.0.0.9", Port: 21000,
			Proxy: &consulapi.AgentServiceConnectProxyConfig{
				DestinationServiceName: "app", LocalServicePort: 8080,
				Upstreams: []consulapi.Upstream{{DestinationName: "db", DestinationNamespace: "ns", LocalBindAddress: "127.0.0.1", LocalBindPort: 5432, Datacenter: "dc2"}},
			},
		}, func(t *testing.T, s *model.Service) {
			c := s.Connect
			if c == nil || c.Kind != model.ConnectSidecar || c.DestinationService != "app" || c.LocalServicePort != 8080 {
				t.Fatalf("connect = %+v", c)
			}
			want := model.Upstream{DestinationName: "db", DestinationNamespace: "ns", LocalBindAddress: "127.0.0.1", LocalBindPort: 5432, Datacenter: "dc2"}
			if len(c.Upstreams) != 1 || c.Upstreams[0] != want {
				t.Errorf("upstreams = %+v", c.Upstreams)
			}
			if s.AllocID != testAllocID || s.PortLabel != "connect-proxy-app" || s.Address != "10.0.0.9" {
				t.Errorf("got %+v", s)
			}
		}},
		{"namespaced id", &consulapi.AgentService{ID: "web", Service: "web", Namespace: "team"},
			func(t *testing.T, s *model.Service) {
				if s.ID != "node1/team/web" || s.Namespace != "team" {
					t.Errorf("got %+v", s)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want(t, convertService("node1", "10.0.0.1", tt.in))
		})
	}
}

func TestConvertConnectKind(t *testing.T) {
	tests := []struct {
		kind   consulapi.ServiceKind
		native bool
		want   string
	}{
		{consulapi.ServiceKindTypical, false, ""},
		{consulapi.ServiceKindTypical, true, model.ConnectNative},
		{consulapi.ServiceKindConnectProxy, false, model.ConnectSidecar},
		{consulapi.ServiceKindIngressGateway, false, model.ConnectIngress},
		{consulapi.ServiceKindTerminatingGateway, false, model.ConnectTerminating},
		{consulapi.ServiceKindMeshGateway, false, model.ConnectMesh},
		{consulapi.ServiceKindAPIGateway, false, "api-gateway"},
	}
	for _, tt := range tests {
		svc := &consulapi.AgentService{ID: "x", Service: "x", Kind: tt.kind}
		if tt.native {
			svc.Connect = &consulapi.AgentServiceConnect{Native: true}
		}
		got := ""
		if c := convertService("n", "", svc).Connect; c != nil {
			got = c.Kind
		}
		if got != tt.want {
			t.Errorf("kind %q native %v: connect kind %q, want %q", tt.kind, tt.native, got, tt.want)
		}
	}
}
