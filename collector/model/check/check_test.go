package check

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// Pure unit tests on fake clusters (internal/fixture); the real ones are
// in internal/checktest.

// template is a group as the Nomad source hands it over: not placed, no
// host IPs, dynamic ports without a value.
func template(a *model.Allocation) *model.Allocation {
	t := *a
	t.ID, t.NodeID, t.NodeName = "", "", ""
	t.Ports = nil
	for _, p := range a.Ports {
		p.HostIP = ""
		if !p.Static {
			p.Value = 0
		}
		t.Ports = append(t.Ports, p)
	}
	return &t
}

func jobOf(id string, groups ...*model.Allocation) Job {
	j := Job{Namespace: "default", ID: id, Type: "service"}
	for _, g := range groups {
		j.Groups = append(j.Groups, Group{Name: g.TaskGroup, Count: 1, Alloc: template(g)})
	}
	return j
}

// cluster: one node, a running "web" with a dynamic port and a service,
// and "holder" on static port 8080.
func cluster() (*model.Snapshot, *model.Allocation) {
	web := fixture.Alloc("11111111-web", "web").Group("web").Bridge("172.26.0.2").
		Port("http", "10.0.0.1", 20001, 8080, false).RawTask("web").Svc("web", model.ProviderNomad, "http").Build()
	holder := fixture.Alloc("22222222-holder", "holder").Group("api").
		Port("api", "10.0.0.1", 8080, 0, true).RawTask("api").Build()
	snap := fixture.Snapshot(fixture.ClientNode("n1", "node-1", "10.0.0.1"), model.UpsertAllocation{Alloc: web}, model.UpsertAllocation{Alloc: holder},
		fixture.UpsertService(model.ProviderNomad, "web-1", "web", web.ID, model.HealthPassing))
	return snap, web
}

func TestSameVersionChangesNothing(t *testing.T) {
	snap, web := cluster()
	r := Run(snap, jobOf("web", web), Plan{Ran: true})
	if r.Diff.Summary != "No networking change" || len(r.Diff.Changes) > 0 {
		t.Errorf("diff %q %+v", r.Diff.Summary, r.Diff.Changes)
	}
	if len(r.Findings.Added)+len(r.Findings.Removed) > 0 || len(r.Reach) > 0 || len(r.Problems) > 0 {
		t.Errorf("findings %+v reach %+v problems %+v", r.Findings, r.Reach, r.Problems)
	}
	if r.Fails(model.SeverityInfo) {
		t.Error("an unchanged job fails")
	}
	if got := r.Placements[0].Nodes; !slices.Equal(got, []string{"node-1"}) {
		t.Errorf("placed on %v", got)
	}
	// The dynamic port keeps the running version's value on the same node.
	if h := r.Headroom[0]; h.Needed != 1 || h.Free != h.After {
		t.Errorf("headroom %+v", h)
	}
}

func TestToChangeIsTheOnlyChange(t *testing.T) {
	snap, web := cluster()
	next := *web
	next.Ports = []model.Port{{Label: "http", Value: 0, To: 9090}}
	r := Run(snap, jobOf("web", &next), Plan{Ran: true})
	want := []Change{{Group: "web", Kind: ChangePort, Op: OpChanged, Subject: "port http", Before: "dynamic, to 8080", After: "dynamic, to 9090"}}
	if !slices.Equal(r.Diff.Changes, want) {
		t.Errorf("changes %+v, want %+v", r.Diff.Changes, want)
	}
	if r.Fails(model.SeverityInfo) {
		t.Errorf("a to change fails: %+v %+v", r.Findings, r.Problems)
	}
}

func TestCollisionNamesTheHolder(t *testing.T) {
	snap, _ := cluster()
	api := fixture.Alloc("", "newapi").Group("api").Port("api", "", 8080, 0, true).RawTask("api").Build()
	r := Run(snap, jobOf("newapi", api), Plan{})
	if !r.Estimate || len(r.PortFit) != 1 || len(r.PortFit[0].Free) != 0 {
		t.Fatalf("port fit %+v", r.PortFit)
	}
	h := r.PortFit[0].Taken[0]
	if h.AllocID != "22222222-holder" || h.Job != "holder" || h.Group != "api" || h.Task != "api" {
		t.Errorf("holder %+v", h)
	}
	if len(r.Problems) == 0 || r.Problems[0].Code != CodePortTaken || !strings.Contains(r.Problems[0].Message, "22222222 of holder/api, task api") {
		t.Errorf("problems %+v", r.Problems)
	}
	if !r.Fails(model.SeverityError) || r.Placements[0].Unplaced != 1 {
		t.Errorf("fails %v placements %+v", r.Fails(model.SeverityError), r.Placements)
	}
}

func TestNewServiceAndUpstreamDiff(t *testing.T) {
	snap, web := cluster()
	next := *web
	next.Services = []model.ServiceSpec{{Name: "web", Provider: model.ProviderConsul, PortLabel: "http", Tags: []string{"v2"},
		Connect: &model.ConnectSpec{Kind: model.ConnectSidecar, Upstreams: []model.Upstream{{DestinationName: "db", LocalBindPort: 5432}}}}}
	r := Run(snap, jobOf("web", &next), Plan{Ran: true})
	var got []string
	for _, c := range r.Diff.Changes {
		got = append(got, c.Kind+" "+c.Op+" "+c.Subject)
	}
	want := []string{"service changed service web", "service changed service web tags", "sidecar added service web connect", "upstream added service web upstream db"}
	if !slices.Equal(got, want) {
		t.Errorf("changes %q, want %q", got, want)
	}
	// An upstream to a service nobody declares is a new finding.
	if !slices.ContainsFunc(r.Findings.Added, func(w model.Warning) bool { return w.Code == model.CodeUpstreamDangling }) {
		t.Errorf("added %+v", r.Findings.Added)
	}
}

func TestSeverityThreshold(t *testing.T) {
	r := Report{Findings: FindingDiff{Added: []model.Warning{{Severity: model.SeverityWarning}}}}
	for min, want := range map[model.Severity]bool{model.SeverityInfo: true, model.SeverityWarning: true, model.SeverityError: false} {
		if r.Fails(min) != want {
			t.Errorf("warning vs %s: fails %v", min, !want)
		}
	}
	if (Report{}).Fails(model.SeverityInfo) {
		t.Error("an empty report fails")
	}
}

// TestJSONHasNoNull: docs/check.md promises lists, never null.
func TestJSONHasNoNull(t *testing.T) {
	snap, web := cluster()
	api := fixture.Alloc("", "newapi").Group("api").Port("api", "", 8080, 0, true).RawTask("api").Build()
	for _, r := range []Report{Run(snap, jobOf("web", web), Plan{}), Run(snap, jobOf("newapi", api), Plan{Ran: true})} {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "null") {
			t.Errorf("null in %s", b)
		}
	}
}
