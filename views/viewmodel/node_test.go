package viewmodel_test

import (
	"testing"

	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

func TestFindNode(t *testing.T) {
	snap := fixture.Snapshot(fixture.Cluster()...)
	cases := []struct{ ref, want string }{
		{fixture.NodeA, fixture.NodeA},
		{"client-b", fixture.NodeB},
		{"node-b", fixture.NodeB},
		{"node-", ""}, // both IDs start so
		{"nope", ""},
		{"", ""},
	}
	for _, tc := range cases {
		got := ""
		if n := viewmodel.FindNode(snap, tc.ref); n != nil {
			got = n.ID
		}
		if got != tc.want {
			t.Errorf("FindNode(%q) = %q, want %q", tc.ref, got, tc.want)
		}
	}
}
