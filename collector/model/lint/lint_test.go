package lint_test

import (
	"slices"
	"testing"

	"github.com/netviz/netviz/internal/fixture"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
)

func TestPortsOnNode(t *testing.T) {
	s := model.NewStore().Apply(
		fixture.Alloc("b", "web").Port("http", "10.0.0.1", 8080, 0, true).Port("inner", "", 0, 9090, false).Upsert(),
		fixture.Alloc("a", "api").Port("grpc", "10.0.0.1", 23000, 9000, false).Port("http", "10.0.0.1", 8080, 80, true).Upsert(),
		fixture.Alloc("c", "old").Status("complete").Port("http", "10.0.0.1", 8081, 0, true).Upsert(),
		fixture.Alloc("d", "other").Node("n2").Port("http", "10.0.0.1", 8080, 0, true).Upsert(),
	)
	got := s.PortsOnNode("n1")
	want := []model.PortUse{
		{NodeID: "n1", AllocID: "a", JobID: "api", TaskGroup: "g", Label: "http", HostIP: "10.0.0.1", Port: 8080, To: 80, Static: true},
		{NodeID: "n1", AllocID: "b", JobID: "web", TaskGroup: "g", Label: "http", HostIP: "10.0.0.1", Port: 8080, Static: true},
		{NodeID: "n1", AllocID: "a", JobID: "api", TaskGroup: "g", Label: "grpc", HostIP: "10.0.0.1", Port: 23000, To: 9000},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got := s.PortsOnNode("nope"); got == nil || len(got) != 0 {
		t.Errorf("unknown node: %v", got)
	}
}

func TestPortConflictWarnings(t *testing.T) {
	tests := []struct {
		name         string
		changes      []model.Change
		wantSubjects [][]string
	}{
		{"same IP and port", []model.Change{
			fixture.Alloc("a", "x").Port("http", "10.0.0.1", 8080, 0, true).Upsert(),
			fixture.Alloc("b", "y").Port("web", "10.0.0.1", 8080, 0, true).Upsert(),
		}, [][]string{{"node/n1", "alloc/a", "alloc/b"}}},
		{"wildcard address collides with any", []model.Change{
			fixture.Alloc("a", "x").Port("http", "0.0.0.0", 8080, 0, true).Upsert(),
			fixture.Alloc("b", "y").Port("web", "10.0.0.2", 8080, 0, true).Upsert(),
		}, [][]string{{"node/n1", "alloc/a", "alloc/b"}}},
		{"different addresses do not collide", []model.Change{
			fixture.Alloc("a", "x").Port("http", "10.0.0.1", 8080, 0, true).Upsert(),
			fixture.Alloc("b", "y").Port("web", "10.0.0.2", 8080, 0, true).Upsert(),
		}, nil},
		{"different nodes do not collide", []model.Change{
			fixture.Alloc("a", "x").Port("http", "10.0.0.1", 8080, 0, true).Upsert(),
			fixture.Alloc("b", "y").Node("n2").Port("web", "10.0.0.1", 8080, 0, true).Upsert(),
		}, nil},
		{"terminal allocations hold no ports", []model.Change{
			fixture.Alloc("a", "x").Port("http", "10.0.0.1", 8080, 0, true).Upsert(),
			fixture.Alloc("b", "y").Status("failed").Port("web", "10.0.0.1", 8080, 0, true).Upsert(),
		}, nil},
		{"two nodes with conflicts, errors sorted by subjects", []model.Change{
			fixture.Alloc("c", "x").Node("n2").Port("http", "10.0.0.1", 80, 0, true).Upsert(),
			fixture.Alloc("d", "y").Node("n2").Port("web", "10.0.0.1", 80, 0, true).Upsert(),
			fixture.Alloc("a", "x").Port("http", "10.0.0.1", 8080, 0, true).Upsert(),
			fixture.Alloc("b", "y").Port("web", "10.0.0.1", 8080, 0, true).Upsert(),
		}, [][]string{{"node/n1", "alloc/a", "alloc/b"}, {"node/n2", "alloc/c", "alloc/d"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]string
			for _, w := range lint.Warnings(model.NewStore().Apply(tt.changes...)) {
				if w.Code != model.CodePortConflict {
					continue
				}
				if w.Severity != model.SeverityError || w.Message == "" || w.Fix == "" {
					t.Errorf("warning %+v lacks severity, message or fix", w)
				}
				got = append(got, w.Subjects)
			}
			if !slices.EqualFunc(got, tt.wantSubjects, slices.Equal) {
				t.Errorf("subjects %v, want %v", got, tt.wantSubjects)
			}
		})
	}
}

func TestRunCustomLint(t *testing.T) {
	flagged := lint.Lint{Name: "flagged", Check: func(s *model.Snapshot) []model.Warning {
		var out []model.Warning
		for _, n := range s.Nodes() {
			if n.Name == "flagged" {
				out = append(out, model.Warning{Code: "test-flagged", Severity: model.SeverityInfo, Message: "flagged node " + n.ID})
			}
		}
		return out
	}}
	s := model.NewStore().Apply(
		model.UpsertNode{Node: &model.Node{ID: "n9", Name: "flagged"}},
		fixture.Alloc("a", "x").Port("http", "10.0.0.1", 8080, 0, true).Upsert(),
		fixture.Alloc("b", "y").Port("web", "10.0.0.1", 8080, 0, true).Upsert(),
	)
	var codes []string
	for _, w := range lint.Run(s, append(slices.Clone(lint.All), flagged)) {
		if w.Code != model.CodePortConflict && w.Code != "test-flagged" {
			continue // other lints (host networking) speak about this fixture too
		}
		codes = append(codes, w.Code)
		if w.Subjects == nil {
			t.Errorf("warning %q has nil subjects", w.Code)
		}
	}
	if want := []string{model.CodePortConflict, "test-flagged"}; !slices.Equal(codes, want) {
		t.Errorf("codes %v, want %v (errors first)", codes, want)
	}
}
