package viewmodel_test

import (
	"testing"

	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

func TestFindAllocation(t *testing.T) {
	snap := fixture.Snapshot(fixture.Cluster()...)
	cases := []struct {
		ref        string
		want       string
		candidates int
	}{
		{fixture.AllocWeb, fixture.AllocWeb, 0},
		{"b2d0", fixture.AllocAPI, 0},
		{"a1c0ffee", "", 2},
		{"ffffffff", "", 0},
		{"", "", 0},
	}
	for _, tc := range cases {
		a, cand := viewmodel.FindAllocation(snap, tc.ref)
		got := ""
		if a != nil {
			got = a.ID
		}
		if got != tc.want || len(cand.Allocations) != tc.candidates {
			t.Errorf("FindAllocation(%q) = %q with %d candidates, want %q with %d", tc.ref, got, len(cand.Allocations), tc.want, tc.candidates)
		}
	}
}
