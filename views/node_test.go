package views_test

import (
	"testing"

	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

func TestNodePage(t *testing.T) {
	snap := cluster(t)
	cases := []struct {
		node                    string
		ports, conflicts        int
		used, reserved, warning string
	}{
		// Ports 20001-20003 fall in the range 20000-20009; 443 twice is a conflict.
		{fixture.NodeA, 5, 2, "3/10", "22", "port-conflict"},
		{fixture.NodeB, 1, 0, "1/12001", "8500", ""},
	}
	for _, tc := range cases {
		t.Run(tc.node[:6], func(t *testing.T) {
			v := viewmodel.NewNodeView(snap, snap.Node(tc.node))
			d := doc(t, renderPage(t, views.NodePage(chrome(snap, "/"), v)))
			if got := d.Find(testid("node-port")).Length(); got != tc.ports {
				t.Errorf("%d port rows, want %d", got, tc.ports)
			}
			if got := text(d.Find(testid("range-used"))); got != tc.used {
				t.Errorf("range used = %q, want %q", got, tc.used)
			}
			if got := text(d.Find(testid("reserved-ports"))); got != tc.reserved {
				t.Errorf("reserved = %q, want %q", got, tc.reserved)
			}
			if got := d.Find(testid("warning")+`[data-code="port-conflict"]`).AttrOr("data-code", ""); got != tc.warning {
				t.Errorf("warning = %q, want %q", got, tc.warning)
			}
			if got := d.Find(testid("node-port-conflict")).Length(); got != tc.conflicts {
				t.Errorf("%d ports marked in conflict, want %d", got, tc.conflicts)
			}
		})
	}
}
