//go:build integration

package agent_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/checktest"
)

// TestAgentAsSystemJob runs deploy/netviz-agent.nomad.hcl as it ships,
// with the netviz binary built from this tree, the secret in a Nomad
// variable and the test's server as the target, and checks that traffic
// through the mesh reaches the model through it. Nomad is reached over
// HTTP: the dev cluster's task API socket path is longer than a unix
// socket allows.
func TestAgentAsSystemJob(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	s := startServer(t, false)
	bin, err := checktest.BuildNetviz(ctx, "../..", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	nomad := cluster.Nomad()
	if _, _, err := nomad.Variables().Create(&nomadapi.Variable{Path: "nomad/jobs/netviz-agent",
		Items: nomadapi.VariableItems{"secret": secret}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.RunVars(ctx, "../../deploy/netviz-agent.nomad.hcl", map[string]string{
		"netviz_bin": bin, "nomad_addr": cluster.NomadAddr, "server": s.url, "interval": "1s",
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nomad.Jobs().Deregister("netviz-agent", true, nil) })
	if err := cluster.WaitHealthy(ctx, "default", "netviz-agent"); err != nil {
		t.Fatal(err)
	}
	echo, client := s.alloc(t, "echo"), s.alloc(t, "client")
	getFrom(t, client.ID, "http://127.0.0.1:19090/")
	took := s.waitFor(t, "mesh, reported by the system job", func(e model.ObservedEdge) bool {
		return e.Kind == model.ObservedMesh && e.From == client.ID && e.To == echo.ID
	})
	t.Logf("mesh edge through the system job's agent %s after the request", took.Round(10*time.Millisecond))
	logAgentUsage(t, nomad)
	logProcessUsage(t, bin)
}

// logProcessUsage logs the agent process's own CPU (over 10 s) and
// resident memory from /proc, without the executor Nomad runs beside it.
func logProcessUsage(t *testing.T, bin string) {
	pid := ""
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.HasPrefix(string(cmd), bin+"\x00agent\x00") {
			pid = e.Name()
		}
	}
	if pid == "" {
		t.Log("agent process: not found")
		return
	}
	ticks := func() int {
		b, _ := os.ReadFile(filepath.Join("/proc", pid, "stat"))
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		u, _ := strconv.Atoi(f[11])
		s, _ := strconv.Atoi(f[12])
		return u + s
	}
	t0 := ticks()
	time.Sleep(10 * time.Second)
	cpu := float64(ticks()-t0) / 100 / 10 * 100 // USER_HZ is 100 on Linux
	status, _ := os.ReadFile(filepath.Join("/proc", pid, "status"))
	rss := ""
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			rss = strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:"))
		}
	}
	t.Logf("agent process: cpu %.1f%% of a core over 10 s at a 1 s interval, rss %s", cpu, rss)
}

// logAgentUsage logs the agent task's CPU and resident memory as Nomad's
// client measures them, for docs/perf.md (a record, not an assertion).
func logAgentUsage(t *testing.T, nomad *nomadapi.Client) {
	allocs, _, err := nomad.Jobs().Allocations("netviz-agent", false, nil)
	if err != nil || len(allocs) == 0 {
		t.Logf("agent usage: no allocation (%v)", err)
		return
	}
	alloc, _, err := nomad.Allocations().Info(allocs[0].ID, nil)
	if err != nil {
		t.Logf("agent usage: %v", err)
		return
	}
	for range 5 {
		time.Sleep(2 * time.Second)
		st, err := nomad.Allocations().Stats(alloc, nil)
		if err != nil {
			t.Logf("agent usage: %v", err)
			return
		}
		if u := st.Tasks["agent"]; u != nil && u.ResourceUsage != nil {
			t.Logf("agent usage: cpu %.2f%% of a core, rss %.1f MB",
				u.ResourceUsage.CpuStats.Percent, float64(u.ResourceUsage.MemoryStats.RSS)/(1<<20))
		}
	}
}
