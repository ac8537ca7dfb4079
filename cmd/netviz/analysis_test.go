package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// TestAnalysisUsage checks the exit codes of mistakes that are caught
// before any cluster is read. Runs against a real cluster are in
// internal/reachtest.
func TestAnalysisUsage(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"reach"}, exitError},
		{[]string{"reach", "app"}, exitError},
		{[]string{"reach", "a", "b", "c"}, exitError},
		{[]string{"reach", "--bogus", "a", "b"}, exitError},
		{[]string{"lint", "--severity", "fatal"}, exitError},
		{[]string{"lint", "--bogus"}, exitError},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if got := run(context.Background(), tt.args, &out, &errOut); got != tt.want {
			t.Errorf("netviz %v: exit %d, want %d (stderr %q)", tt.args, got, tt.want, errOut.String())
		}
	}
}

func TestSeverityThreshold(t *testing.T) {
	tests := []struct {
		finding, min model.Severity
		want         bool
	}{
		{model.SeverityError, model.SeverityWarning, true},
		{model.SeverityWarning, model.SeverityWarning, true},
		{model.SeverityInfo, model.SeverityWarning, false},
		{model.SeverityInfo, model.SeverityInfo, true},
		{model.SeverityWarning, model.SeverityError, false},
	}
	for _, tt := range tests {
		if got := atLeast(tt.finding, tt.min); got != tt.want {
			t.Errorf("atLeast(%s, %s) = %v", tt.finding, tt.min, got)
		}
	}
	if _, err := parseSeverity("warning"); err != nil {
		t.Error(err)
	}
}

func TestPrintReach(t *testing.T) {
	s := model.NewStore().Apply(
		model.UpsertAllocation{Alloc: &model.Allocation{
			ID: "a1", JobID: "j", TaskGroup: "g", NodeID: "n1", ClientStatus: "running", DesiredStatus: "run",
			Network: model.Network{Mode: model.ModeBridge, IP: "172.26.64.2"},
			Ports:   []model.Port{{Label: "http", HostIP: "10.0.0.1", Value: 23000, To: 8080}},
			Tasks:   []model.Task{{Name: "web", Driver: "raw_exec"}},
		}},
	)
	r, err := reach.Between(s, "host", "j/g")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := printReach(&out, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"host → j/g: REACHABLE", "dial 10.0.0.1:23000", "dial 172.26.64.2:8080"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
