package viewmodel_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

// TestFilterAllocations: the one filter the overview, /api/v1/topology and
// the topology diagram apply.
func TestFilterAllocations(t *testing.T) {
	// An allocation that does not report its node's name.
	snap := fixture.Snapshot(append(fixture.Cluster(),
		fixture.Alloc("nameless", "batch").Node(fixture.NodeB).Upsert())...)
	cases := []struct {
		name string
		f    viewmodel.Filter
		want []string
	}{
		{"node ID", viewmodel.Filter{Node: fixture.NodeB}, []string{fixture.AllocAPI, "nameless"}},
		{"node ID prefix, as Nomad's CLI shows it", viewmodel.Filter{Node: fixture.NodeB[:8]}, []string{fixture.AllocAPI, "nameless"}},
		{"node name, the snapshot's when the allocation lacks it", viewmodel.Filter{Node: "client-b"}, []string{fixture.AllocAPI, "nameless"}},
		{"a prefix under four characters is no prefix", viewmodel.Filter{Node: "nod"}, nil},
		{"job and node", viewmodel.Filter{Job: "web", Node: fixture.NodeA[:8]}, []string{fixture.AllocWeb}},
		{"text matches the allocation ID", viewmodel.Filter{Text: "B2D0"}, []string{fixture.AllocAPI}},
		{"text matches the namespace IP", viewmodel.Filter{Text: "172.26.64.5"}, []string{fixture.AllocWeb}},
		{"text matches a task", viewmodel.Filter{Text: "traefik"}, []string{fixture.AllocIngress, fixture.AllocIngress2}},
		{"namespace", viewmodel.Filter{Namespace: "other"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, a := range snap.Allocations() {
				if tc.f.MatchAllocation(snap, a) {
					got = append(got, a.ID)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%+v keeps %v, want %v", tc.f, got, tc.want)
			}
		})
	}
}

func TestFilterNamesNode(t *testing.T) {
	snap := fixture.Snapshot(fixture.Cluster()...)
	a := snap.Node(fixture.NodeA)
	for ref, want := range map[string]bool{fixture.NodeA: true, fixture.NodeA[:8]: true, "client-a": true, "client": false, "": false} {
		if got := (viewmodel.Filter{Node: ref}).NamesNode(a); got != want {
			t.Errorf("Filter{Node: %q}.NamesNode(client-a) = %v, want %v", ref, got, want)
		}
	}
}

func TestFilterQuery(t *testing.T) {
	f := viewmodel.Filter{Namespace: "default", Job: "web", Node: "node-a-1", Text: "app"}
	if got := viewmodel.FilterFromQuery(f.Query()); got != f {
		t.Errorf("round trip: %+v, want %+v", got, f)
	}
	if got := viewmodel.FilterFromQuery(url.Values{"job": {"  web "}}); got != (viewmodel.Filter{Job: "web"}) {
		t.Errorf("blanks not trimmed: %+v", got)
	}
}
