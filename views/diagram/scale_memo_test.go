package diagram_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// TestScaleFoldReuse: the unfiltered scale picture of a version whose only
// change is the sources' status reuses the previous version's job/groups
// and connections (the snapshot's DataMemo). It must equal the picture of
// the same state drawn from scratch, also when Consul's state changes
// (edges carry intentions only while it is connected, so the memo keys on
// it), and after the previous picture marked what it drew on its groups.
func TestScaleFoldReuse(t *testing.T) {
	cfg := fixture.SyntheticConfig{Nodes: 10, Allocations: 1000, Seed: 1}
	// Every Consul instance of one upstream's destination fails its check:
	// while Consul is connected the upstream reads broken, so the picture
	// depends on Consul's state.
	changes := fixture.Generate(cfg).Changes()
	snap := fixture.Snapshot(changes...)
	var failing []model.Change
	for _, e := range snap.Edges() {
		name, ok := strings.CutPrefix(e.To, model.ServiceKey(""))
		if e.Kind != model.EdgeUpstream || !ok {
			continue
		}
		for _, v := range snap.ServicesNamed(name) {
			if v.Provider == model.ProviderConsul {
				c := *v
				c.Health = model.HealthCritical
				failing = append(failing, model.UpsertService{Service: &c})
			}
		}
		break
	}
	if len(failing) == 0 {
		t.Fatal("the fixture has no upstream to a Consul service")
	}
	changes = append(fixture.Generate(cfg).Changes(), failing...)
	store := model.NewStore()
	render(t, drawer.Topology(store.Apply(changes...), viewmodel.Filter{}))
	pictures := map[string]string{}
	for _, st := range []string{model.StateDown, model.StateConnected, model.StateConnected, model.StateDown} {
		status := model.SetConsulStatus{Status: model.SourceStatus{State: st}}
		got := render(t, drawer.Topology(store.Apply(status), viewmodel.Filter{}))
		pictures[st] = string(got)
		fresh := fixture.Snapshot(append(append(fixture.Generate(cfg).Changes(), failing...), status)...)
		want := render(t, diagram.NewDrawer(0, diagram.WithDeadline(0)).Topology(fresh, viewmodel.Filter{}))
		if !bytes.Equal(got, want) {
			t.Errorf("Consul %s: the picture of the status-only version differs from one drawn from scratch", st)
		}
	}
	if pictures[model.StateDown] == pictures[model.StateConnected] {
		t.Errorf("the picture does not depend on Consul's state: the test shows nothing")
	}
}
