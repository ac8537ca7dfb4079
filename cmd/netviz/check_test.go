package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/check"
)

// TestCheckExitTwo: mistakes and an unreachable Nomad exit 2 before any
// report. Runs against a real cluster are in internal/checktest.
func TestCheckExitTwo(t *testing.T) {
	// A loopback port nothing listens on: Nomad is unreachable there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String()
	l.Close()
	t.Setenv("NOMAD_ADDR", addr)
	job := filepath.Join(t.TempDir(), "job.nomad.hcl")
	if err := os.WriteFile(job, []byte("job \"x\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		say  string
	}{
		{[]string{"check"}, "usage"},
		{[]string{"check", "a", "b"}, "usage"},
		{[]string{"check", "--severity", "fatal", job}, "--severity"},
		{[]string{"check", "--var", "novalue", job}, "key=value"},
		{[]string{"check", filepath.Join(t.TempDir(), "missing.hcl")}, "no such file"},
		{[]string{"check", "--var-file", filepath.Join(t.TempDir(), "missing.vars"), job}, "--var-file"},
		{[]string{"check", job}, "connection refused"},
		{[]string{"check", job, "--json", "--severity", "error"}, "connection refused"},
		{[]string{"check", job, "--severity", "fatal"}, "--severity"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if got := run(context.Background(), tt.args, &out, &errOut); got != exitError {
			t.Errorf("netviz %v: exit %d, want %d", tt.args, got, exitError)
		}
		if !strings.Contains(errOut.String(), tt.say) {
			t.Errorf("netviz %v: stderr %q, want it to say %q", tt.args, errOut.String(), tt.say)
		}
	}
}

func TestVariablesFile(t *testing.T) {
	vf := filepath.Join(t.TempDir(), "vars.hcl")
	if err := os.WriteFile(vf, []byte("count = 2"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := variablesFile([]string{"image=redis:7", `weird="${x}" %{y} \n`}, vf)
	if err != nil {
		t.Fatal(err)
	}
	want := "count = 2\nimage = \"redis:7\"\nweird = \"\\\"$${x}\\\" %%{y} \\\\n\"\n"
	if got != want {
		t.Errorf("variables file\n%q\nwant\n%q", got, want)
	}
}

// TestReportTextPlan: the CLI's plan line is check.Plan.Summary, the same
// words the /check page shows after "Nomad's scheduler: ".
func TestReportTextPlan(t *testing.T) {
	r := check.Report{Plan: check.Plan{Ran: true, DiffType: "Edited",
		Updates: []check.GroupUpdate{{Group: "web", Place: 1}, {Group: "db", InPlaceUpdate: 2}}}}
	want := "plan (Nomad's scheduler): Edited; web: place 1; db: in-place update 2\n"
	if got := reportText(r, model.SeverityWarning); !strings.Contains(got, want) {
		t.Errorf("no %q in:\n%s", want, got)
	}
}

// TestReportTextEstimate: when Nomad's plan did not run, the CLI's plan
// line is marked ESTIMATE and gives check.Plan.Unplanned, the words the
// /check page shows after "Estimate.".
func TestReportTextEstimate(t *testing.T) {
	for _, plan := range []check.Plan{{Forbidden: true, Error: "403"}, {Error: "connection refused"}} {
		want := "plan: ESTIMATE — " + plan.Unplanned() + "\n"
		if got := reportText(check.Report{Plan: plan, Estimate: true}, model.SeverityWarning); !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
}
