//go:build integration

package reachtest

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// groupAlloc returns the running allocation of job/group.
func groupAlloc(t *testing.T, snap *model.Snapshot, job, group string) *model.Allocation {
	t.Helper()
	for _, a := range snap.AllocationsOfJob("default", job) {
		if a.TaskGroup == group && a.ClientStatus == "running" {
			return a
		}
	}
	t.Fatalf("no running allocation of %s/%s", job, group)
	return nil
}

// TestBypassLintsHoldInReality checks what the two bypass lints claim with
// real traffic: nosy-app, denied by intention, cannot use its upstream to
// secret-db, yet reaches secret-db's namespace address directly
// (bridge-peer-bypass); and exposed-db, whose intentions admit only web,
// answers anyone on its mapped host port (mesh-bypass).
func TestBypassLintsHoldInReality(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	snap := snapshot(t)
	nosy := groupAlloc(t, snap, "broken-intention", "nosy")
	db := groupAlloc(t, snap, "broken-intention", "db")

	pollUntil(t, "nosy's upstream refused", func() error {
		if err := httpGetFromNamespace(ctx, nosy.ID, "http://127.0.0.1:6380/"); err == nil {
			return errors.New("the mesh let nosy-app through")
		}
		return nil
	})
	direct := "http://" + net.JoinHostPort(db.Network.IP, "6380") + "/"
	if err := httpGetFromNamespace(ctx, nosy.ID, direct); err != nil {
		t.Errorf("bridge-peer-bypass claims nosy reaches %s directly: %v", direct, err)
	}

	exposed := groupAlloc(t, snap, "broken-mesh-bypass", "db")
	var hostAddr string
	for _, p := range exposed.Ports {
		if p.Label == "db" {
			hostAddr = net.JoinHostPort(p.HostIP, strconv.Itoa(p.Value))
		}
	}
	if hostAddr == "" || !inCluster(hostAddr) {
		t.Fatalf("exposed-db's mapped port %q", hostAddr)
	}
	res, err := reach.Between(snap, reach.FromHost, "exposed-db")
	if err != nil || res.Verdict != reach.VerdictReachable {
		t.Fatalf("netviz: host → exposed-db %s %v", res.Verdict, err)
	}
	if open := probeFromHost(ctx, []string{hostAddr}); !open[0] {
		t.Errorf("mesh-bypass claims %s answers from the host; connect() failed", hostAddr)
	}
}
