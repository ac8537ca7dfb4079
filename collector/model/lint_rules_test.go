package model_test

import (
	"slices"
	"testing"

	"github.com/netviz/netviz/collector/model"
)

// codesWith lists the distinct codes of a snapshot's warnings and checks
// that each carries what a reader needs.
func codesWith(t *testing.T, s *model.Snapshot) []string {
	t.Helper()
	for _, w := range s.Warnings() {
		if w.Message == "" || w.Fix == "" || len(w.Subjects) == 0 || w.Severity == "" {
			t.Errorf("warning %+v lacks message, fix, subjects or severity", w)
		}
	}
	return codesOf(s.Warnings())
}

func TestLintRules(t *testing.T) {
	dockerTask := func(b *allocBuilder, ports ...string) *allocBuilder { return b.task("web", ports) }
	tests := []struct {
		name    string
		changes []model.Change
		want    []string
	}{
		{"clean mesh with allow", append(meshPair(), intentions(true, intention("app", "redis", model.ActionAllow))), nil},
		{"docker task lists the port", []model.Change{
			dockerTask(newAlloc("d1", "web").port("http", "10.0.0.1", 23000, 0, false).svc("web", "nomad", "http"), "http").build0(),
		}, []string{model.CodeHostNetworkOpen}},
		{"docker task omits the port", []model.Change{
			dockerTask(newAlloc("d1", "web").port("http", "10.0.0.1", 23000, 0, false).svc("web", "nomad", "http")).build0(),
		}, []string{model.CodeDockerPortUnpublished, model.CodeHostNetworkOpen}},
		{"docker in bridge mode needs no config.ports", []model.Change{
			dockerTask(newAlloc("d1", "web").bridge("172.26.64.2").port("http", "10.0.0.1", 23000, 8080, false)).build0(),
		}, nil},
		{"ingress system job is meant to be open", []model.Change{
			newAlloc("i1", "ingress").jobType("system").port("http", "10.0.0.1", 18080, 0, true).svc("ingress", "nomad", "http").rawTask("r").build0(),
		}, nil},
		{"host port on loopback is not open", []model.Change{
			newAlloc("h1", "x").port("http", "127.0.0.1", 23000, 0, false).rawTask("r").build0(),
		}, nil},
		{"static port on a service", []model.Change{
			newAlloc("s1", "x").bridge("172.26.64.2").port("http", "10.0.0.1", 26379, 6379, true).svc("x", "nomad", "http").rawTask("r").build0(),
		}, []string{model.CodeStaticPort}},
		{"connect port given as a label without to", []model.Change{
			newAlloc("c1", "x").bridge("172.26.64.2").port("http", "10.0.0.1", 23000, 0, false).meshSvc("x", "http").rawTask("r").build0(),
		}, []string{model.CodeConnectPortLabel}},
		{"connect port label with to is fine", []model.Change{
			newAlloc("c1", "x").bridge("172.26.64.2").port("http", "10.0.0.1", 23000, 8080, false).meshSvc("x", "http").rawTask("r").build0(),
		}, nil},
		{"upstream to a missing service", []model.Change{
			newAlloc("c1", "x").bridge("172.26.64.2").meshSvc("x", "8080", upstream("nope", 1234)).rawTask("r").build0(),
		}, []string{model.CodeUpstreamDangling}},
		{"upstream to a service with no sidecar", []model.Change{
			newAlloc("c1", "x").bridge("172.26.64.2").meshSvc("x", "8080", upstream("plain", 1234)).rawTask("r").build0(),
			newAlloc("p1", "plain").bridge("172.26.64.3").svc("plain", "consul", "8080").rawTask("r").build0(),
		}, []string{model.CodeUpstreamDangling}},
		{"intention denies the upstream", append(meshPair(), intentions(true, intention("*", "redis", model.ActionDeny))),
			[]string{model.CodeBridgePeerBypass, model.CodeIntentionDeniesUpstream}},
		{"mapped app port of a guarded mesh service", []model.Change{
			newAlloc("r1", "redis").bridge("172.26.64.3").port("db", "10.0.0.1", 23000, 6379, false).meshSvc("redis", "6379").rawTask("r").build0(),
			intentions(true, intention("app", "redis", model.ActionAllow)),
		}, []string{model.CodeMeshBypass}},
		{"template asks for a missing service", []model.Change{
			newAlloc("c1", "x").bridge("172.26.64.2").rawTask("r", model.Ref{Kind: model.RefConsulService, Target: "ghost", Source: "template:local/a"}).build0(),
		}, []string{model.CodeMissingServiceRef}},
		{"template asks for a critical service", []model.Change{
			newAlloc("c1", "x").bridge("172.26.64.2").rawTask("r", model.Ref{Kind: model.RefConsulService, Target: "db", Source: "template:local/a"}).build0(),
			upsertService("consul", "db1", "db", "", "critical"),
		}, []string{model.CodeMissingServiceRef}},
		{"template asks for a passing service", []model.Change{
			newAlloc("c1", "x").bridge("172.26.64.2").rawTask("r", model.Ref{Kind: model.RefConsulService, Target: "db", Source: "template:local/a"}).build0(),
			upsertService("consul", "db1", "db", "", "passing"),
		}, nil},
		{"env reads an upstream that is not declared", []model.Change{
			newAlloc("c1", "x").bridge("172.26.64.2").rawTask("r", model.Ref{Kind: model.RefEnvUpstream, Target: "redis", Source: "REDIS"}).build0(),
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
