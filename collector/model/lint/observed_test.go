package lint_test

import (
	"slices"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
	"github.com/netviz/netviz/internal/fixture"
)

// observedSnap is MeshPair plus a plain bridge web allocation on node n1,
// with the agent's reports at t0 and t0+window applied, then aged.
func observedSnap(t *testing.T, flows []model.ObservedFlow, listeners []model.ObservedListener) *model.Snapshot {
	t.Helper()
	st := model.NewStore()
	st.Apply(fixture.MeshPair()...)
	st.Apply(fixture.ClientNode("n1", "one", "10.0.0.1"),
		fixture.Alloc("web1", "web").Node("n1").Group("web").Bridge("172.26.64.4").
			Port("http", "10.0.0.1", 25000, 8080, false).Svc("web", model.ProviderNomad, "http").RawTask("web").Change())
	for _, id := range []string{"app1", "redis1"} {
		a := *st.Snapshot().Allocation(id)
		a.NodeID = "n1"
		st.Apply(model.UpsertAllocation{Alloc: &a})
	}
	t0 := time.Date(2026, 11, 29, 4, 0, 0, 0, time.UTC)
	window := time.Minute
	rep := &model.ObservationReport{Node: "n1", Flows: flows, Listeners: listeners}
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
	st.Apply(model.ApplyObservation{Report: rep, At: t0})
	st.Apply(model.ApplyObservation{Report: rep, At: t0.Add(window)})
	return st.Apply(model.ExpireObserved{Now: t0.Add(window), Window: window})
}

func flow(alloc, ip string, port int) model.ObservedFlow {
	return model.ObservedFlow{Alloc: alloc, Side: model.SideClient, LocalIP: "172.26.64.9", RemoteIP: ip, RemotePort: port, Established: true, Count: 1}
}

func observedCodes(s *model.Snapshot) []string {
	var out []string
	for _, w := range lint.Warnings(s) {
		switch w.Code {
		case model.CodeUpstreamUnused, model.CodeMeshBypassObserved, model.CodeUndeclaredDependency, model.CodeListeningUnexpected:
			out = append(out, w.Code+" "+w.Subjects[0])
		}
	}
	slices.Sort(out)
	return out
}

func TestObservedLints(t *testing.T) {
	cases := []struct {
		name      string
		flows     []model.ObservedFlow
		listeners []model.ObservedListener
		want      []string
	}{
		{"upstream never used in a whole window", nil, nil,
			[]string{"upstream-unused alloc/app1"}},
		{"upstream used; declared traffic only", []model.ObservedFlow{flow("app1", "127.0.0.1", 6379)}, nil, nil},
		{"a peer bypasses redis's sidecar", []model.ObservedFlow{flow("app1", "127.0.0.1", 6379), flow("web1", "172.26.64.3", 6379)}, nil,
			[]string{"mesh-bypass-observed alloc/web1", "undeclared-dependency alloc/web1"}},
		{"listeners", []model.ObservedFlow{flow("app1", "127.0.0.1", 6379)}, []model.ObservedListener{
			{Alloc: "web1", IP: "0.0.0.0", Port: 8080},     // mapped
			{Alloc: "web1", IP: "127.0.0.1", Port: 9999},   // loopback only
			{Alloc: "web1", IP: "0.0.0.0", Port: 9999},     // unexpected
			{Alloc: "web1", IP: "172.26.64.4", Port: 9998}, // unexpected
			{Alloc: "app1", IP: "127.0.0.1", Port: 6379},   // upstream listener
		}, []string{"listening-unexpected alloc/web1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := observedCodes(observedSnap(t, tc.flows, tc.listeners))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
