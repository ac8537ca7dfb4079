package diagram_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// TestLabelsApart lays out pictures whose arrows Graphviz labels on top of
// each other (two mesh arrows `mTLS · allow` and `mTLS · deny` into one
// sidecar; the random clusters' crowded hosts; scale views) and expects no
// two label boxes to overlap.
func TestLabelsApart(t *testing.T) {
	cases := map[string]*model.Snapshot{
		"two sidecars, one allocation": meshIntents(true),
		"two allocations":              meshIntents(false),
		"fixture cluster":              fixture.Snapshot(fixture.Cluster()...),
		"scale mix":                    scaleMix(),
		"scale 1k":                     fixture.Snapshot(fixture.Generate(fixture.SyntheticConfig{Nodes: 10, Allocations: 1_000, Seed: 1}).Changes()...),
	}
	for seed := range uint64(40) {
		cases[fmt.Sprintf("random %d", seed)] = randomCluster(seed)
	}
	d := diagram.NewDrawer(0, diagram.WithDeadline(0))
	defer d.Close()
	for name, snap := range cases {
		l, err := d.TopologyLayout(context.Background(), snap, viewmodel.Filter{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		labelled := 0
		for i, a := range l.Arrows {
			if a.Label == "" {
				continue
			}
			labelled++
			for _, o := range l.Arrows[i+1:] {
				if o.Label != "" && a.LabelBox().Overlaps(o.LabelBox()) {
					t.Errorf("%s: %q (%s) at %v overlaps %q (%s) at %v", name, a.Label, a.TestID, a.LabelBox(), o.Label, o.TestID, o.LabelBox())
				}
			}
		}
		if labelled == 0 {
			t.Errorf("%s: no labelled arrow", name)
		}
	}
}

// TestUpstreamFromItsSidecar: of two Connect services of one allocation
// with upstreams to one destination, each arrow leaves its own sidecar
// with its own intention (the deny used to leave app's sidecar, on top of
// the allow).
func TestUpstreamFromItsSidecar(t *testing.T) {
	d := parse(t, render(t, drawer.Topology(meshIntents(true), viewmodel.Filter{})))
	for id, want := range map[string]string{
		"edge-upstream-app1-proxy-app-redis1-proxy-redis":   "intent-allow",
		"edge-upstream-app1-proxy-admin-redis1-proxy-redis": "intent-deny",
	} {
		if n := d.byID[id]; n == nil || !hasClass(n, want) {
			t.Errorf("%s: want an arrow with class %s", id, want)
		}
	}
}
