package nomad

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
)

// allocEvent is an allocation event frame as Nomad 1.6 sends it (trimmed to
// the fields netviz reads, plus some it ignores).
const allocEvent = `{"Index":120,"Events":[{"Topic":"Allocation","Type":"AllocationUpdated","Key":"a1","Namespace":"default","Index":120,
"Payload":{"Allocation":{"ID":"a1","Name":"mesh.app[0]","Namespace":"default","NodeID":"n1","NodeName":"dev","JobID":"mesh","JobVersion":0,
"TaskGroup":"app","DesiredStatus":"run","ClientStatus":"running","ModifyIndex":120,"AllocModifyIndex":118,"Job":null,
"AllocatedResources":{"Shared":{"Networks":[{"Mode":"bridge","DynamicPorts":[{"Label":"http","Value":23522,"To":8080},{"Label":"connect-proxy-app","Value":25000,"To":-1}]}],
"Ports":[{"Label":"http","Value":23522,"To":8080,"HostIP":"172.26.64.1"},{"Label":"connect-proxy-app","Value":25000,"To":25000,"HostIP":"172.26.64.1"}]}},
"NetworkStatus":{"InterfaceName":"eth0","Address":"172.26.64.9"}}}}]}
{}
`

// meshJob is the job version the allocation runs.
var meshJob = &apiJob{ID: "mesh", Namespace: "default", Type: "service", Version: 0, JobModifyIndex: 100, TaskGroups: []apiGroup{{
	Name: "app",
	Services: []apiService{{Name: "app", PortLabel: "8080", Connect: &struct {
		Native         bool
		SidecarService *struct {
			Port  string
			Proxy *struct{ Upstreams []apiUpstream }
		}
		Gateway *struct {
			Ingress     *struct{}
			Terminating *struct{}
			Mesh        *struct{}
		}
	}{SidecarService: &struct {
		Port  string
		Proxy *struct{ Upstreams []apiUpstream }
	}{Proxy: &struct{ Upstreams []apiUpstream }{Upstreams: []apiUpstream{{DestinationName: "redis", LocalBindPort: 6379}}}}}}},
	Tasks: []apiTask{
		{Name: "app", Driver: "raw_exec", Env: map[string]string{"REDIS_ADDR": "${NOMAD_UPSTREAM_ADDR_redis}"}},
		{Name: "connect-proxy-app", Driver: "raw_exec", Kind: "connect-proxy:app", Lifecycle: &struct {
			Hook    string
			Sidecar bool
		}{Hook: "prestart", Sidecar: true}},
	},
}}}

func newTestSource() (*Source, *model.Store) {
	store := model.NewStore()
	s := NewSource(nil, "http://test", store, slog.New(slog.DiscardHandler))
	return s, store
}

// TestApplyAllocationEvent decodes a real-shaped frame and applies it.
func TestApplyAllocationEvent(t *testing.T) {
	s, store := newTestSource()
	s.jobs.put(meshJob)
	err := decodeFrames(strings.NewReader(allocEvent), func() {}, func(f *eventFrame) error {
		s.applyFrame(f, true)
		return nil
	})
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("decodeFrames ended with %v, want unexpected EOF at the end of the stream", err)
	}
	snap := store.Snapshot()
	a := snap.Allocation("a1")
	if a == nil {
		t.Fatal("allocation not applied")
	}
	if a.Network.Mode != "bridge" || a.Network.IP != "172.26.64.9" {
		t.Errorf("network = %+v", a.Network)
	}
	if len(a.Ports) != 2 || a.Ports[0].Label != "http" || a.Ports[0].Value != 23522 || a.Ports[0].To != 8080 || a.Ports[0].Static {
		t.Errorf("ports = %+v", a.Ports)
	}
	if len(a.Tasks) != 2 || a.Tasks[1].Kind != "connect-proxy:app" || !a.Tasks[1].Sidecar {
		t.Errorf("tasks = %+v", a.Tasks)
	}
	if len(a.Tasks[0].Refs) != 1 || a.Tasks[0].Refs[0].Kind != model.RefEnvUpstream || a.Tasks[0].Refs[0].Target != "redis" {
		t.Errorf("app refs = %+v", a.Tasks[0].Refs)
	}
	if len(a.Services) != 1 || a.Services[0].Connect == nil || a.Services[0].Connect.SidecarPortLabel != "connect-proxy-app" ||
		len(a.Services[0].Connect.Upstreams) != 1 || a.Services[0].Connect.Upstreams[0].LocalBindPort != 6379 {
		t.Errorf("services = %+v", a.Services)
	}
	if st := snap.Status().Nomad; st.State != model.StateConnected || st.Index != 120 {
		t.Errorf("status = %+v", st)
	}
}

// TestAllocationLifecycleEvents: an older replay is ignored, a terminal
// allocation leaves the model, an event without payload is skipped.
func TestAllocationLifecycleEvents(t *testing.T) {
	tests := []struct {
		name   string
		frames string
		want   func(*model.Snapshot) string
	}{
		{"terminal allocation leaves", `{"Index":2,"Events":[{"Topic":"Allocation","Payload":{"Allocation":{"ID":"a","JobID":"j","ClientStatus":"running","DesiredStatus":"run","ModifyIndex":2}}}]}
{"Index":3,"Events":[{"Topic":"Allocation","Payload":{"Allocation":{"ID":"a","JobID":"j","ClientStatus":"complete","DesiredStatus":"stop","ModifyIndex":3}}}]}`,
			func(s *model.Snapshot) string {
				if s.Allocation("a") != nil {
					return "terminal allocation still present"
				}
				return ""
			}},
		{"older replay ignored", `{"Index":5,"Events":[{"Topic":"Allocation","Payload":{"Allocation":{"ID":"a","JobID":"j","ClientStatus":"running","DesiredStatus":"run","ModifyIndex":5}}}]}
{"Index":4,"Events":[{"Topic":"Allocation","Payload":{"Allocation":{"ID":"a","JobID":"j","ClientStatus":"pending","DesiredStatus":"run","ModifyIndex":4}}}]}`,
			func(s *model.Snapshot) string {
				if a := s.Allocation("a"); a == nil || a.ClientStatus != "running" {
					return "replayed older event overwrote newer state"
				}
				return ""
			}},
		{"malformed event skipped", `{"Index":6,"Events":[{"Topic":"Allocation","Payload":{}},{"Topic":"Node","Payload":{"Node":{"ID":"n1","Name":"x<script>","Status":"ready"}}}]}`,
			func(s *model.Snapshot) string {
				if n := s.Node("n1"); n == nil || n.Name != "x<script>" {
					return "node after a malformed event not applied"
				}
				return ""
			}},
		{"service registration and deregistration", `{"Index":7,"Events":[{"Topic":"Service","Type":"ServiceRegistration","Payload":{"Service":{"ID":"s1","ServiceName":"redis","Address":"10.0.0.1","Port":5}}}]}
{"Index":8,"Events":[{"Topic":"Service","Type":"ServiceDeregistration","Payload":{"Service":{"ID":"s1","ServiceName":"redis"}}}]}`,
			func(s *model.Snapshot) string {
				if len(s.ServicesNamed("redis")) != 0 {
					return "deregistered service still present"
				}
				return ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, store := newTestSource()
			s.jobs.put(&apiJob{ID: "j", Namespace: ""})
			_ = decodeFrames(strings.NewReader(tt.frames), func() {}, func(f *eventFrame) error {
				s.applyFrame(f, true)
				return nil
			})
			if msg := tt.want(store.Snapshot()); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// FuzzDecodeFrames feeds arbitrary bytes to the event decoder and applies
// whatever decodes: nothing may panic.
func FuzzDecodeFrames(f *testing.F) {
	f.Add([]byte(allocEvent))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"Index":1,"Events":[{"Topic":"Job","Payload":{"Job":{"ID":"j","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t","Config":{"ports":["a",1,null]},"Templates":[{"EmbeddedTmpl":"{{ range nomadService \"x\" }}"}]}]}]}}}]}`))
	f.Add([]byte(`{"Index":1,"Events":[{"Topic":"Node","Payload":{"Node":{"ID":"n","ReservedResources":{"Networks":{"ReservedHostPorts":"1-99999999,a,3"}}}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _ := newTestSource()
		_ = decodeFrames(strings.NewReader(string(data)), func() {}, func(fr *eventFrame) error {
			for i := range fr.Events {
				// Job events never fetch; allocation events would, so keep them
				// local by giving each a cached job.
				if a := fr.Events[i].Payload.Allocation; a != nil {
					s.jobs.put(&apiJob{ID: a.JobID, Namespace: a.Namespace, Version: a.JobVersion})
				}
			}
			s.applyFrame(fr, true)
			return nil
		})
	})
}

func TestAggregateChecks(t *testing.T) {
	got := aggregateChecks(map[string]checkStatus{
		"1": {Service: "a", Status: "success"}, "2": {Service: "a", Status: "failure"},
		"3": {Service: "b", Status: "success"}, "4": {Service: "b", Status: "pending"},
		"5": {Service: "c", Status: "success"},
	})
	want := map[string]string{"a": model.HealthCritical, "b": model.HealthUnknown, "c": model.HealthPassing}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
}
