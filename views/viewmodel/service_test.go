package viewmodel_test

import (
	"slices"
	"testing"

	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

func TestServiceList(t *testing.T) {
	snap := fixture.Snapshot(fixture.Cluster()...)
	cases := []struct {
		filter viewmodel.Filter
		names  []string
	}{
		{viewmodel.Filter{}, []string{"api", "api-sidecar-proxy", "redis", "web"}},
		{viewmodel.Filter{Node: "client-b"}, []string{"api", "api-sidecar-proxy"}},
		{viewmodel.Filter{Job: "cache"}, []string{"redis"}},
		{viewmodel.Filter{Text: "sidecar"}, []string{"api-sidecar-proxy"}},
	}
	for _, tc := range cases {
		l := viewmodel.NewServiceList(snap, tc.filter)
		var got []string
		for _, s := range l.Services {
			got = append(got, s.Name)
		}
		if !slices.Equal(got, tc.names) {
			t.Errorf("filter %+v: services %v, want %v", tc.filter, got, tc.names)
		}
	}
}
