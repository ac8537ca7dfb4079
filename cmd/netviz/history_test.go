package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/history/record"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
)

// TestHistoryCommand: `netviz history` reads what a recorder wrote into the
// data directory, filtered, as text and as JSON, while the recorder runs.
func TestHistoryCommand(t *testing.T) {
	dir := t.TempDir()
	st := model.NewStore()
	st.Apply(fixture.Cluster()...)
	st.Apply(model.SetNomadStatus{Status: model.SourceStatus{State: model.StateConnected}},
		model.SetConsulStatus{Status: model.SourceStatus{State: model.StateConnected}})
	rec := record.New(st, record.Options{Dir: dir, GroupQuiet: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { _ = rec.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if es, err := rec.Timeline(t.Context(), history.Query{}); err == nil && len(es) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("history did not start")
		}
	}
	st.Apply(model.DeleteAllocation{ID: fixture.AllocIngress2})

	var out, errOut bytes.Buffer
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "alloc-stopped"); time.Sleep(50 * time.Millisecond) {
		out.Reset()
		if code := run(t.Context(), []string{"history", "--data-dir", dir, "--job", "ingress"}, &out, &errOut); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("no stop in:\n%s", out.String())
		}
	}
	out.Reset()
	if code := run(t.Context(), []string{"history", "--data-dir", dir, "--since", "-10m", "--kind", "alloc-stopped", "--json"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var es []history.Entry
	if err := json.Unmarshal(out.Bytes(), &es); err != nil || len(es) != 1 || es[0].Alloc != fixture.AllocIngress2 {
		t.Errorf("JSON = %s (%v)", out.String(), err)
	}
	if code := run(t.Context(), []string{"history", "--data-dir", t.TempDir()}, &out, &errOut); code == 0 {
		t.Error("an empty data dir answered")
	}
}
