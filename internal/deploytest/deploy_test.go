//go:build integration

package deploytest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/views/viewmodel"
)

// TestNetvizAsANomadJob builds the release binary, runs it with
// deploy/netviz.nomad.hcl (raw_exec, Nomad through the task API socket with
// the workload identity), waits for Nomad's own verdict that the deployment
// is healthy (its service checks on /healthz and /readyz pass), and reads
// the pages through the address Nomad registered.
func TestNetvizAsANomadJob(t *testing.T) {
	c := shared.Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	bin := filepath.Join(t.TempDir(), "netviz")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "../../cmd/netviz")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if _, err := c.RunVars(ctx, "../../deploy/netviz.nomad.hcl", map[string]string{
		"netviz_bin": bin, "consul_http_addr": c.ConsulAddr,
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background(), "default", "netviz", true) })
	if err := c.WaitHealthy(ctx, "default", "netviz"); err != nil {
		t.Fatalf("netviz job: %v\n%s", err, c.Logs())
	}

	regs, _, err := c.Nomad().Services().Get("netviz", nil)
	if err != nil || len(regs) != 1 {
		t.Fatalf("netviz service registrations: %v (%d)", err, len(regs))
	}
	base := "http://" + net.JoinHostPort(regs[0].Address, strconv.Itoa(regs[0].Port))
	t.Logf("netviz runs as a job at %s", base)

	var ready struct {
		Status string `json:"status"`
	}
	getJSON(t, base+"/readyz", &ready)
	if ready.Status != "ready" {
		t.Errorf("/readyz status %q", ready.Status)
	}
	var o viewmodel.Overview
	getJSON(t, base+"/api/v1/overview", &o)
	found := false
	for _, j := range o.Jobs {
		found = found || j.Job == "netviz"
	}
	if !found || o.Status.Nomad.State != "connected" || o.Status.Consul.State != "connected" {
		t.Errorf("the deployed netviz does not see itself: jobs %v, nomad %s, consul %s", o.Jobs, o.Status.Nomad.State, o.Status.Consul.State)
	}
	metrics := get(t, base+"/metrics")
	if !strings.Contains(metrics, `netviz_model_objects{kind="allocations"} 1`) {
		t.Errorf("/metrics does not count the one allocation:\n%.2000s", metrics)
	}
	if page := get(t, base+"/"); !strings.Contains(page, "netviz") {
		t.Errorf("the overview page does not render")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v\n%.500s", url, resp.StatusCode, err, b)
	}
	return string(b)
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	if err := json.Unmarshal([]byte(get(t, url)), out); err != nil {
		t.Fatal(fmt.Errorf("%s: %w", url, err))
	}
}
