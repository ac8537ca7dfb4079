//go:build integration

package reachtest

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
)

// dockerOnlyJob is the broken job that needs Docker, which this machine
// lacks: its lint is checked on a model built from the parsed job.
const dockerOnlyJob = "docker-ports.nomad.hcl"

// brokenLints maps each deployed broken job to the lints it must trigger.
var brokenLints = map[string][]string{
	"broken-host-network": {model.CodeHostNetworkOpen},
	"broken-static-port":  {model.CodeStaticPort},
	"broken-connect-port": {model.CodeConnectPortLabel},
	"broken-upstream":     {model.CodeUpstreamDangling},
	"broken-intention":    {model.CodeIntentionDeniesUpstream, model.CodeBridgePeerBypass},
	"broken-mesh-bypass":  {model.CodeMeshBypass},
	"broken-missing-ref":  {model.CodeMissingServiceRef},
	// prod-cache lives in Nomad namespace prod, out of the template's sight.
	"broken-namespace-ref": {model.CodeMissingServiceRef},
}

// expectedClean are the findings the clean examples are meant to show:
// scenario 1 demonstrates exactly a host-networking port and a static port.
var expectedClean = map[string]string{
	model.CodeHostNetworkOpen: "redis-exposed/host",
	model.CodeStaticPort:      "redis-exposed/static",
}

// jobsOf maps the allocations a warning names to their "job/group".
func jobsOf(snap *model.Snapshot, w model.Warning) []string {
	var out []string
	for _, s := range w.Subjects {
		if id, ok := strings.CutPrefix(s, "alloc/"); ok {
			if a := snap.Allocation(id); a != nil {
				out = append(out, a.JobID+"/"+a.TaskGroup)
			}
		}
	}
	return out
}

// TestLintsOnExamples checks that every broken job triggers its lints, and
// that the clean examples trigger none but the two they demonstrate.
func TestLintsOnExamples(t *testing.T) {
	var snap *model.Snapshot
	// Checks turn passing some seconds after a deployment is healthy; poll
	// until the model shows no unexpected finding on the clean examples.
	pollUntil(t, "clean examples free of findings", func() error {
		snap = snapshot(t)
		for _, w := range lint.Warnings(snap) {
			for _, jg := range jobsOf(snap, w) {
				job, _, _ := strings.Cut(jg, "/")
				if cleanJobs[job] && expectedClean[w.Code] != jg {
					return fmt.Errorf("%s on %s: %s", w.Code, jg, w.Message)
				}
			}
		}
		return nil
	})
	fired := map[string][]string{} // job → codes
	for _, w := range lint.Warnings(snap) {
		for _, jg := range jobsOf(snap, w) {
			job, _, _ := strings.Cut(jg, "/")
			fired[job] = append(fired[job], w.Code)
		}
	}
	for job, codes := range brokenLints {
		for _, c := range codes {
			if !slices.Contains(fired[job], c) {
				t.Errorf("%s: lint %s did not fire (fired: %v)", job, c, fired[job])
			}
		}
	}
	for code, jg := range expectedClean {
		job, _, _ := strings.Cut(jg, "/")
		if !slices.Contains(fired[job], code) {
			t.Errorf("%s: %s did not fire on %s", job, code, jg)
		}
	}
	t.Logf("%d findings in all; per job: %v", len(lint.Warnings(snap)), fired)
}

// TestDockerLintOnParsedJobs parses job files with Nomad (as `nomad job
// run -output` does) and builds the model's allocation from the parsed
// spec, since Docker jobs cannot be placed here. The broken one must
// trigger docker-port-unpublished; the Docker versions of the clean
// examples must not.
func TestDockerLintOnParsedJobs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clean, err := filepath.Glob(filepath.Join(examplesDir, "docker", "*.nomad.hcl"))
	if err != nil || len(clean) == 0 {
		t.Fatalf("docker examples: %v %v", clean, err)
	}
	files := append([]string{filepath.Join(brokenDir, dockerOnlyJob)}, clean...)
	for i, f := range files {
		out, err := cluster.CLI(ctx, "nomad", "job", "run", "-output", f)
		if err != nil {
			t.Fatal(err)
		}
		var wrapped struct{ Job *nomadapi.Job }
		if err := json.Unmarshal([]byte(out), &wrapped); err != nil || wrapped.Job == nil {
			t.Fatalf("%s: %v", f, err)
		}
		var changes []model.Change
		for _, a := range allocsFromJob(wrapped.Job) {
			changes = append(changes, model.UpsertAllocation{Alloc: a})
		}
		var codes []string
		for _, w := range lint.Warnings(model.NewStore().Apply(changes...)) {
			codes = append(codes, w.Code)
		}
		if got, want := slices.Contains(codes, model.CodeDockerPortUnpublished), i == 0; got != want {
			t.Errorf("%s: docker-port-unpublished fired=%v, want %v (codes %v)", filepath.Base(f), got, want, codes)
		}
	}
}

// allocsFromJob is a test fixture: one model allocation per group of a
// parsed job, as if placed on one node with host ports 20000 and up. It
// keeps only what the lints read (network mode, ports, drivers,
// config.ports, services).
func allocsFromJob(job *nomadapi.Job) []*model.Allocation {
	var out []*model.Allocation
	next := 20000
	for gi, g := range job.TaskGroups {
		a := &model.Allocation{
			ID: fmt.Sprintf("parsed-%d", gi), JobID: deref(job.ID), JobType: deref(job.Type), TaskGroup: deref(g.Name), Namespace: "default",
			NodeID: "n1", ClientStatus: "running", DesiredStatus: "run",
			Network: model.Network{Mode: model.ModeHost, IP: "10.0.0.1"},
		}
		for _, n := range g.Networks {
			if n.Mode != "" {
				a.Network.Mode = n.Mode
			}
			for _, p := range n.ReservedPorts {
				a.Ports = append(a.Ports, model.Port{Label: p.Label, HostIP: "10.0.0.1", Value: p.Value, To: p.To, Static: true})
			}
			for _, p := range n.DynamicPorts {
				a.Ports = append(a.Ports, model.Port{Label: p.Label, HostIP: "10.0.0.1", Value: next, To: p.To})
				next++
			}
		}
		for _, task := range g.Tasks {
			mt := model.Task{Name: task.Name, Driver: task.Driver, Kind: task.Kind}
			if mode, ok := task.Config["network_mode"].(string); ok {
				mt.NetworkMode = mode
			}
			if ports, ok := task.Config["ports"].([]any); ok {
				for _, p := range ports {
					if s, ok := p.(string); ok {
						mt.ConfigPorts = append(mt.ConfigPorts, s)
					}
				}
			}
			a.Tasks = append(a.Tasks, mt)
			for _, s := range task.Services {
				a.Services = append(a.Services, model.ServiceSpec{Name: s.Name, Provider: s.Provider, Task: task.Name, PortLabel: s.PortLabel})
			}
		}
		for _, s := range g.Services {
			a.Services = append(a.Services, model.ServiceSpec{Name: s.Name, Provider: s.Provider, PortLabel: s.PortLabel})
		}
		out = append(out, a)
	}
	return out
}

// deref reads an optional field of a parsed (not canonicalised) job.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
