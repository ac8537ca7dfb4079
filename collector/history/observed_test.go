package history

import (
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// TestObservedEntries: an observed edge's first sighting and its ageing
// out are timeline entries about the destination allocation; a report
// that only counts on is none.
func TestObservedEntries(t *testing.T) {
	st := model.NewStore()
	st.Apply(fixture.Alloc("web1", "web").Bridge("172.26.64.4").Port("http", "10.0.0.1", 25000, 8080, false).Change(),
		fixture.Alloc("app1", "app").Bridge("172.26.64.5").Change())
	t0 := time.Date(2026, 11, 29, 4, 0, 0, 0, time.UTC)
	rep := &model.ObservationReport{Node: "n1", Flows: []model.ObservedFlow{{Alloc: "app1", Side: model.SideClient,
		LocalIP: "172.26.64.5", RemoteIP: "172.26.64.4", RemotePort: 8080, Established: true, Count: 1}}}
	s0 := st.Snapshot()
	s1 := st.Apply(model.ApplyObservation{Report: rep, At: t0})
	s2 := st.Apply(model.ApplyObservation{Report: rep, At: t0.Add(time.Second)})
	s3 := st.Apply(model.ExpireObserved{Now: t0.Add(time.Hour), Window: time.Minute})

	seen, _ := Diff(s0, s1, []string{model.KeyObserved}, false, t0)
	if len(seen) != 1 || seen[0].Kind != KindObservedSeen || seen[0].Alloc != "web1" || seen[0].Job != "web" ||
		!strings.Contains(seen[0].Summary, "app.g[0] → web.g[0]:http first seen") {
		t.Fatalf("first seen: %+v", seen)
	}
	if again, _ := Diff(s1, s2, []string{model.KeyObserved}, false, t0); len(again) != 0 {
		t.Errorf("counting on made entries: %+v", again)
	}
	gone, _ := Diff(s2, s3, []string{model.KeyObserved}, false, t0)
	if len(gone) != 1 || gone[0].Kind != KindObservedGone {
		t.Fatalf("aged out: %+v", gone)
	}
}
