package views_test

import (
	"testing"

	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

func TestServicePage(t *testing.T) {
	snap := cluster(t)
	cases := []struct {
		name                          string
		instances, downstreams, discs int
		intention                     string
	}{
		// web → api is denied; api's sidecar proxy counts as an instance.
		{"api", 2, 1, 0, "deny"},
		// web's app task looks redis up with nomadService.
		{"redis", 1, 0, 1, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, found := viewmodel.NewServiceView(snap, tc.name)
			if !found {
				t.Fatal("not found")
			}
			d := doc(t, renderPage(t, views.ServicePage(chrome(snap, "/"), v)))
			if got := d.Find(testid("instance")).Length(); got != tc.instances {
				t.Errorf("%d instances, want %d", got, tc.instances)
			}
			down := d.Find(testid("downstreams") + " " + testid("flow-edge"))
			if down.Length() != tc.downstreams {
				t.Errorf("%d downstreams, want %d", down.Length(), tc.downstreams)
			}
			if got := down.AttrOr("data-intention", ""); got != tc.intention {
				t.Errorf("downstream intention = %q, want %q", got, tc.intention)
			}
			if got := d.Find("#service-referrers " + testid("edge")).Length(); got != tc.discs {
				t.Errorf("%d discovering tasks, want %d", got, tc.discs)
			}
		})
	}
	if _, found := viewmodel.NewServiceView(snap, "nope"); found {
		t.Error("unknown service found")
	}
}
