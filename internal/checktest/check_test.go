//go:build integration

package checktest

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/check"
)

// addedCodes are the codes of the findings a report adds.
func addedCodes(r check.Report) []string {
	var out []string
	for _, w := range r.Findings.Added {
		out = append(out, w.Code)
	}
	return out
}

// TestExamplesUnchanged checks every running example against itself: no
// networking change, no finding added or removed, no reach change, exit 0.
// It is what keeps the prediction honest: a new version placed where the
// running one is must look exactly like it.
func TestExamplesUnchanged(t *testing.T) {
	cluster = shared.Cluster(t)
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.nomad.hcl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := runCheck(t, f)
			if r.code != 0 {
				t.Errorf("exit %d, want 0", r.code)
			}
			rep := r.report
			if !rep.Job.Running || rep.Diff.New {
				t.Errorf("job %s not seen running", rep.Job.ID)
			}
			if rep.Diff.Summary != "No networking change" || len(rep.Diff.Changes) != 0 {
				t.Errorf("diff %q: %+v", rep.Diff.Summary, rep.Diff.Changes)
			}
			if len(rep.Findings.Added)+len(rep.Findings.Removed) != 0 {
				t.Errorf("findings changed: added %+v removed %+v", rep.Findings.Added, rep.Findings.Removed)
			}
			if len(rep.Reach) != 0 {
				t.Errorf("reach changed: %+v", rep.Reach)
			}
			if !rep.Plan.Ran || rep.Estimate {
				t.Errorf("plan did not run: %+v", rep.Plan)
			}
		})
	}
}

// TestBrokenJobs checks each broken example (not deployed here) and wants
// exit 1 with its lint among the added findings.
func TestBrokenJobs(t *testing.T) {
	cluster = shared.Cluster(t)
	want := map[string]string{
		"connect-port-label.nomad.hcl": model.CodeConnectPortLabel,
		"docker-ports.nomad.hcl":       model.CodeDockerPortUnpublished,
		"host-network.nomad.hcl":       model.CodeHostNetworkOpen,
		"intention-deny.nomad.hcl":     model.CodeIntentionDeniesUpstream,
		"mesh-bypass.nomad.hcl":        model.CodeMeshBypass,
		"missing-ref.nomad.hcl":        model.CodeMissingServiceRef,
		"namespace-ref.nomad.hcl":      model.CodeMissingServiceRef,
		"static-port.nomad.hcl":        model.CodeStaticPort,
		"upstream-dangling.nomad.hcl":  model.CodeUpstreamDangling,
	}
	for file, code := range want {
		t.Run(file, func(t *testing.T) {
			r := runCheck(t, filepath.Join(brokenDir, file), "--severity", "info")
			if r.code != 1 {
				t.Errorf("exit %d, want 1", r.code)
			}
			if !slices.Contains(addedCodes(r.report), code) {
				t.Errorf("added findings %v, want %s", addedCodes(r.report), code)
			}
			if !r.report.Diff.New {
				t.Errorf("diff says the job runs: %+v", r.report.Diff)
			}
		})
	}
}

// TestParseError: a file Nomad cannot parse exits 2 with Nomad's message
// and the line.
func TestParseError(t *testing.T) {
	cluster = shared.Cluster(t)
	bad := filepath.Join(t.TempDir(), "bad.nomad.hcl")
	writeFile(t, bad, "job \"x\" {\n  group \"g\" {\n    bogus = 1\n  }\n}\n")
	r := runCheck(t, bad)
	if r.code != 2 {
		t.Fatalf("exit %d, want 2", r.code)
	}
	if !strings.Contains(r.stderr, "bad.nomad.hcl:3,") || !strings.Contains(r.stderr, "Unsupported argument") {
		t.Errorf("stderr lacks Nomad's message and line: %s", r.stderr)
	}
}
