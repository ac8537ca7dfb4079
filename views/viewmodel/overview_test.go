package viewmodel

import (
	"fmt"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// TestOverviewCutsWarnings: a cluster with more warnings than the overview
// lists keeps its counts whole (per severity and per code) and says how
// many it left out.
func TestOverviewCutsWarnings(t *testing.T) {
	changes := []model.Change{fixture.ClientNode("n1", "node-1", "10.0.0.1")}
	for i := range 150 {
		changes = append(changes, fixture.Alloc(fmt.Sprintf("a%03d-0000-4000-8000-000000000000", i), fmt.Sprintf("job%03d", i)).
			Node("n1").Mode("host", "").Port("http", "0.0.0.0", 20000+i, 0, true).Upsert())
	}
	o := NewOverview(fixture.Snapshot(changes...), Filter{})
	if o.WarningsTotal <= maxOverviewWarnings {
		t.Fatalf("the fixture gives %d warnings; the test needs more than %d", o.WarningsTotal, maxOverviewWarnings)
	}
	if len(o.Warnings) != maxOverviewWarnings || o.MoreWarnings != o.WarningsTotal-maxOverviewWarnings {
		t.Errorf("listed %d, more %d, total %d", len(o.Warnings), o.MoreWarnings, o.WarningsTotal)
	}
	sum := func(cs []Count) (n int) {
		for _, c := range cs {
			n += c.N
		}
		return n
	}
	if sum(o.WarningsByCode) != o.WarningsTotal || sum(o.WarningsBySeverity) != o.WarningsTotal {
		t.Errorf("counts by code %v and severity %v do not add up to %d", o.WarningsByCode, o.WarningsBySeverity, o.WarningsTotal)
	}
}
