package views_test

import (
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

// TestObservedOnPages: a connection an agent saw from web's namespace to
// redis's host port shows on redis's service page (observed clients), on
// web's (observed destinations) and in the reach answer.
func TestObservedOnPages(t *testing.T) {
	st := model.NewStore()
	st.Apply(fixture.Cluster()...)
	snap := st.Apply(model.ApplyObservation{At: time.Now().Add(-3 * time.Second), Report: &model.ObservationReport{
		Node: fixture.NodeA, Flows: []model.ObservedFlow{{Alloc: fixture.AllocWeb, Side: model.SideClient,
			LocalIP: "172.26.64.5", RemoteIP: "10.0.0.11", RemotePort: 20001, Established: true, Count: 2}}}})

	v, _ := viewmodel.NewServiceView(snap, "redis")
	d := doc(t, renderPage(t, views.ServicePage(chrome(snap, "/"), v)))
	row := d.Find(testid("observed-clients") + " " + testid("observed-edge"))
	if row.Length() != 1 || row.AttrOr("data-kind", "") != string(model.ObservedHostPort) || !strings.Contains(row.Text(), "web.app[0]") {
		t.Errorf("observed clients of redis: %d rows %q", row.Length(), row.Text())
	}

	w, _ := viewmodel.NewServiceView(snap, "web")
	d = doc(t, renderPage(t, views.ServicePage(chrome(snap, "/"), w)))
	if n := d.Find(testid("observed-destinations") + " " + testid("observed-edge")).Length(); n != 1 {
		t.Errorf("%d observed destinations of web, want 1", n)
	}

	av := viewmodel.NewAllocationView(snap, snap.Allocation(fixture.AllocWeb))
	d = doc(t, renderPage(t, views.AllocationPage(chrome(snap, "/"), snap, av)))
	if n := d.Find("#alloc-edges " + testid("observed-destinations") + " " + testid("observed-edge")).Length(); n != 1 {
		t.Errorf("%d observed destinations on web's allocation page, want 1", n)
	}

	r := viewmodel.NewReachView(snap, fixture.AllocWeb, "redis", reach.Window{})
	d = doc(t, renderPage(t, views.ReachPage(chrome(snap, "/reach"), r, nil)))
	obs := d.Find(testid("reach-observed"))
	if obs.AttrOr("data-seen", "") != "true" || !strings.Contains(obs.Text(), "observed: yes, 3 s ago") {
		t.Errorf("reach answer: %q", obs.Text())
	}
}
