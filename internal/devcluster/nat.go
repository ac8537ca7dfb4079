package devcluster

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strings"
)

// cleanNAT deletes the nat-table rules that point into subnet, left by the
// CNI portmap and bridge plugins of a cluster that died before its
// allocations were stopped. Without this, a static port of the next cluster
// on the same slot can be DNAT'ed into a namespace that no longer exists (or,
// worse, another one). It runs only while holding the slot's lock, so no
// live cluster owns rules in that subnet. Chains left empty are harmless.
func cleanNAT(subnet string) error {
	_, cidr, err := net.ParseCIDR(subnet)
	if err != nil {
		return err
	}
	out, err := exec.Command("iptables-save", "-t", "nat").Output()
	if err != nil {
		return fmt.Errorf("iptables-save: %w", err)
	}
	var del bytes.Buffer
	del.WriteString("*nat\n")
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		rule, ok := strings.CutPrefix(line, "-A ")
		if !ok || !mentions(rule, cidr) {
			continue
		}
		del.WriteString("-D " + rule + "\n")
		n++
	}
	if n == 0 {
		return nil
	}
	del.WriteString("COMMIT\n")
	cmd := exec.Command("iptables-restore", "--noflush")
	cmd.Stdin = &del
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("iptables-restore: %w: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

// mentions reports whether any address in an iptables rule (as 1.2.3.4,
// 1.2.3.4/32 or 1.2.3.4:80) lies in cidr.
func mentions(rule string, cidr *net.IPNet) bool {
	for _, f := range strings.Fields(rule) {
		f, _, _ = strings.Cut(f, "/")
		if host, _, err := net.SplitHostPort(f); err == nil {
			f = host
		}
		if ip := net.ParseIP(f); ip != nil && ip.To4() != nil && cidr.Contains(ip) {
			return true
		}
	}
	return false
}
