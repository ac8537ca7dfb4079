package lint_test

import (
	"slices"
	"testing"

	"github.com/netviz/netviz/internal/fixture"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
)

// codesWith lists the distinct codes of a snapshot's warnings and checks
// that each carries what a reader needs.
func codesWith(t *testing.T, s *model.Snapshot) []string {
	t.Helper()
	for _, w := range lint.Warnings(s) {
		if w.Message == "" || w.Fix == "" || len(w.Subjects) == 0 || w.Severity == "" {
			t.Errorf("warning %+v lacks message, fix, subjects or severity", w)
		}
	}
	return fixture.Codes(lint.Warnings(s))
}

func TestLintRules(t *testing.T) {
	dockerTask := func(b *fixture.AllocBuilder, ports ...string) *fixture.AllocBuilder { return b.Task("web", ports) }
	tests := []struct {
		name    string
		changes []model.Change
		want    []string
	}{
		{"clean mesh with allow", append(fixture.MeshPair(), fixture.Intentions(true, fixture.Intention("app", "redis", model.ActionAllow))), nil},
		{"docker task lists the port", []model.Change{
			dockerTask(fixture.Alloc("d1", "web").Port("http", "10.0.0.1", 23000, 0, false).Svc("web", "nomad", "http"), "http").Change(),
		}, []string{model.CodeHostNetworkOpen}},
		{"docker task omits the port", []model.Change{
			dockerTask(fixture.Alloc("d1", "web").Port("http", "10.0.0.1", 23000, 0, false).Svc("web", "nomad", "http")).Change(),
		}, []string{model.CodeDockerPortUnpublished, model.CodeHostNetworkOpen}},
		{"docker in bridge mode needs no config.ports", []model.Change{
			dockerTask(fixture.Alloc("d1", "web").Bridge("172.26.64.2").Port("http", "10.0.0.1", 23000, 8080, false)).Change(),
		}, nil},
		{"ingress system job is meant to be open", []model.Change{
			fixture.Alloc("i1", "ingress").JobType("system").Port("http", "10.0.0.1", 18080, 0, true).Svc("ingress", "nomad", "http").RawTask("r").Change(),
		}, nil},
		{"host port on loopback is not open", []model.Change{
			fixture.Alloc("h1", "x").Port("http", "127.0.0.1", 23000, 0, false).RawTask("r").Change(),
		}, nil},
		{"static port on a service", []model.Change{
			fixture.Alloc("s1", "x").Bridge("172.26.64.2").Port("http", "10.0.0.1", 26379, 6379, true).Svc("x", "nomad", "http").RawTask("r").Change(),
		}, []string{model.CodeStaticPort}},
		{"connect port given as a label without to", []model.Change{
			fixture.Alloc("c1", "x").Bridge("172.26.64.2").Port("http", "10.0.0.1", 23000, 0, false).MeshSvc("x", "http").RawTask("r").Change(),
		}, []string{model.CodeConnectPortLabel}},
		{"connect port label with to is fine", []model.Change{
			fixture.Alloc("c1", "x").Bridge("172.26.64.2").Port("http", "10.0.0.1", 23000, 8080, false).MeshSvc("x", "http").RawTask("r").Change(),
		}, nil},
		{"upstream to a missing service", []model.Change{
			fixture.Alloc("c1", "x").Bridge("172.26.64.2").MeshSvc("x", "8080", fixture.Upstream("nope", 1234)).RawTask("r").Change(),
		}, []string{model.CodeUpstreamDangling}},
		{"upstream to a service with no sidecar", []model.Change{
			fixture.Alloc("c1", "x").Bridge("172.26.64.2").MeshSvc("x", "8080", fixture.Upstream("plain", 1234)).RawTask("r").Change(),
			fixture.Alloc("p1", "plain").Bridge("172.26.64.3").Svc("plain", "consul", "8080").RawTask("r").Change(),
		}, []string{model.CodeUpstreamDangling}},
		{"intention denies the upstream", append(fixture.MeshPair(), fixture.Intentions(true, fixture.Intention("*", "redis", model.ActionDeny))),
			[]string{model.CodeBridgePeerBypass, model.CodeIntentionDeniesUpstream}},
		{"mapped app port of a guarded mesh service", []model.Change{
			fixture.Alloc("r1", "redis").Bridge("172.26.64.3").Port("db", "10.0.0.1", 23000, 6379, false).MeshSvc("redis", "6379").RawTask("r").Change(),
			fixture.Intentions(true, fixture.Intention("app", "redis", model.ActionAllow)),
		}, []string{model.CodeMeshBypass}},
		{"template asks for a missing service", []model.Change{
			fixture.Alloc("c1", "x").Bridge("172.26.64.2").RawTask("r", model.Ref{Kind: model.RefConsulService, Target: "ghost", Source: "template:local/a"}).Change(),
		}, []string{model.CodeMissingServiceRef}},
		{"template asks for a critical service", []model.Change{
			fixture.Alloc("c1", "x").Bridge("172.26.64.2").RawTask("r", model.Ref{Kind: model.RefConsulService, Target: "db", Source: "template:local/a"}).Change(),
			fixture.UpsertService("consul", "db1", "db", "", "critical"),
		}, []string{model.CodeMissingServiceRef}},
		{"template asks for a passing service", []model.Change{
			fixture.Alloc("c1", "x").Bridge("172.26.64.2").RawTask("r", model.Ref{Kind: model.RefConsulService, Target: "db", Source: "template:local/a"}).Change(),
			fixture.UpsertService("consul", "db1", "db", "", "passing"),
		}, nil},
		{"env reads an upstream that is not declared", []model.Change{
			fixture.Alloc("c1", "x").Bridge("172.26.64.2").RawTask("r", model.Ref{Kind: model.RefEnvUpstream, Target: "redis", Source: "REDIS"}).Change(),
		}, []string{model.CodeMissingServiceRef}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codesWith(t, model.NewStore().Apply(tt.changes...))
			if !slices.Equal(got, tt.want) {
				t.Errorf("codes %v, want %v", got, tt.want)
			}
		})
	}
}
