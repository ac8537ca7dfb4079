package views_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

// maxReachBytes is what a reach answer may weigh, HTML or JSON, whatever
// the services' sizes.
const maxReachBytes = 200 << 10

// twoBigServices is the shape that made the reach page explode: two
// services of 100 host-mode allocations each on one node, each with one
// dynamic port and one Nomad service (10,000 allocation pairs).
func twoBigServices() *model.Snapshot {
	changes := []model.Change{fixture.Node("n1", "client-1")}
	for _, job := range []string{"s0001", "s0002"} {
		for i := range 100 {
			id := fmt.Sprintf("%s-%03d", job, i)
			changes = append(changes, fixture.Alloc(id, job).Group("web").
				Port("http", "10.0.0.1", 20000+len(changes), 0, false).
				Svc(job, model.ProviderNomad, "http").RawTask("web").Upsert())
		}
	}
	return model.NewStore().Apply(changes...)
}

func TestReachAnswerStaysSmall(t *testing.T) {
	snap := twoBigServices()
	v := viewmodel.NewReachView(snap, "s0001", "s0002", reach.Window{})
	if v.Result == nil {
		t.Fatalf("no answer: %s", v.Error)
	}
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	page := renderPage(t, views.ReachPage(chrome(snap, "/reach?from=s0001&to=s0002"), v, viewmodel.ReachSuggestions(snap)))
	t.Logf("%d groups; JSON %d bytes, HTML %d bytes", len(v.Groups), len(body), len(page))
	if len(body) > maxReachBytes || len(page) > maxReachBytes {
		t.Errorf("JSON %d bytes, HTML %d bytes; want both under %d", len(body), len(page), maxReachBytes)
	}
	total := 0
	for _, g := range v.Groups {
		total += g.Count
	}
	if total < 100*100 || len(v.Groups) > 10 {
		t.Errorf("%d groups covering %d paths; want a few groups covering every pair", len(v.Groups), total)
	}
}
