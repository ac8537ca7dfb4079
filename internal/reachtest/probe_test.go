//go:build integration

package reachtest

import (
	"context"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// directKinds are the path kinds decided by plain routing, which connect()
// can check (a discovery path dials the address the registry gives); mesh
// and ingress paths are checked with real requests elsewhere.
var directKinds = []string{reach.PathSameNamespace, reach.PathHostPort, reach.PathNamespaceIP, reach.PathDiscovery}

// inCluster reports whether an address belongs to this test cluster: its
// bridge (gateway and namespaces) or loopback. Nothing else is dialled.
func inCluster(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	_, subnet, err := net.ParseCIDR(cluster.Bridge.Subnet)
	return ip != nil && err == nil && (ip.IsLoopback() || subnet.Contains(ip))
}

// TestProbesMatchVerdicts asks netviz, for every source (the host and each
// bridge allocation's namespace) and every allocation of the clean
// examples, which addresses it can reach; then dials each one from that
// source and checks that connect() agrees with every reachable and
// unreachable verdict. Unknown verdicts (a port outside the network block,
// whose bind address the model cannot see) are dialled and logged only.
func TestProbesMatchVerdicts(t *testing.T) {
	snap := snapshot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	type probe struct {
		dest    *model.Allocation
		path    reach.Path
		address string
	}
	sources := []string{reach.FromHost}
	for _, a := range snap.Allocations() {
		if a.ClientStatus == "running" && a.Network.Mode == model.ModeBridge {
			sources = append(sources, a.ID)
		}
	}
	var dests []*model.Allocation
	for _, a := range snap.Allocations() {
		if a.ClientStatus == "running" && cleanJobs[a.JobID] {
			dests = append(dests, a)
		}
	}
	if len(sources) < 10 || len(dests) < 10 {
		t.Fatalf("%d sources, %d destinations: the examples are not all running", len(sources), len(dests))
	}
	checked, unknownOpen, unknownClosed, shadows := 0, 0, 0, 0
	verdicts := map[reach.Verdict]int{}
	for _, src := range sources {
		var probes []probe
		for _, d := range dests {
			res, err := reach.Between(snap, src, d.ID)
			if err != nil {
				t.Fatalf("reach %s → %s: %v", src, d.ID, err)
			}
			for _, p := range res.Paths {
				if !slices.Contains(directKinds, p.Kind) || p.Address == "" {
					continue
				}
				if !inCluster(p.Address) {
					t.Errorf("path %s → %s dials %s, outside this cluster", src, d.ID, p.Address)
					continue
				}
				probes = append(probes, probe{dest: d, path: p, address: p.Address})
			}
		}
		addrs := make([]string, len(probes))
		for i, p := range probes {
			addrs[i] = p.address
		}
		var open []bool
		if src == reach.FromHost {
			open = probeFromHost(ctx, addrs)
		} else {
			var err error
			if open, err = probeFromNamespace(ctx, src, addrs); err != nil {
				t.Fatal(err)
			}
		}
		for i, p := range probes {
			switch p.path.Verdict {
			case reach.VerdictReachable, reach.VerdictUnreachable:
				if want := p.path.Verdict == reach.VerdictReachable; open[i] != want {
					if other, ok := shadowed(ctx, p.dest, p.path); ok && want {
						shadows++
						t.Logf("%s → %s %s: another dev cluster on this machine (earlier or concurrent) holds a NAT rule for the same static port, sending it to %s; not counted",
							short(src), p.dest.JobID, p.address, other)
						continue
					}
					t.Errorf("%s → %s/%s %s (%s): netviz says %s, connect() succeeded=%v\n  reason: %s",
						short(src), p.dest.JobID, p.dest.TaskGroup, p.address, p.path.Kind, p.path.Verdict, open[i], p.path.Reason)
				}
				checked++
				verdicts[p.path.Verdict]++
			default:
				if open[i] {
					unknownOpen++
				} else {
					unknownClosed++
				}
			}
		}
	}
	t.Logf("checked %d (source, address) pairs whose verdict netviz decides (%v) from %d sources to %d allocations; %d more left out, shadowed by another cluster's NAT rule; %d unknown verdicts dialled too (%d open, %d closed)",
		checked, verdicts, len(sources), len(dests), shadows, unknownOpen+unknownClosed, unknownOpen, unknownClosed)
	if checked < 100 {
		t.Errorf("only %d pairs checked", checked)
	}
}

// shadowed checks a host-port path that did not connect for a stale NAT
// rule sending its port elsewhere.
func shadowed(ctx context.Context, d *model.Allocation, p reach.Path) (string, bool) {
	if p.Kind != reach.PathHostPort || d.Network.Mode == model.ModeHost {
		return "", false
	}
	_, port, err := net.SplitHostPort(p.Address)
	if err != nil {
		return "", false
	}
	for _, dp := range d.Ports {
		if strconv.Itoa(dp.Value) == port {
			to := dp.To
			if to <= 0 {
				to = dp.Value
			}
			return staleDNAT(ctx, dp.Value, net.JoinHostPort(d.Network.IP, strconv.Itoa(to)))
		}
	}
	return "", false
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
