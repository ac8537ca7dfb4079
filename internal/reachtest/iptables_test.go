//go:build integration

package reachtest

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// staleDNAT reports whether the host's NAT table sends TCP port to some
// other destination than want ("ip:port"): the CNI portmap rule of another
// dev cluster on this machine holding the same static port (running
// alongside, or killed before Nomad could remove its rules). Such a rule
// may come first and shadow ours: every test cluster here shares one
// kernel, which real nodes never do.
func staleDNAT(ctx context.Context, port int, want string) (string, bool) {
	out, err := exec.CommandContext(ctx, "iptables", "-t", "nat", "-S").Output()
	if err != nil {
		return "", false
	}
	match := fmt.Sprintf("-p tcp -m tcp --dport %d -j DNAT --to-destination ", port)
	for _, line := range strings.Split(string(out), "\n") {
		_, dest, ok := strings.Cut(line, match)
		if ok && strings.TrimSpace(dest) != want {
			return strings.TrimSpace(dest), true
		}
	}
	return "", false
}
