// Package netnsprobe connects from inside an allocation's network
// namespace, which Nomad names after the allocation ID, for the
// integration tests that check a verdict against what really happens. It
// needs root and `ip netns`; probes go only to the addresses given, which
// tests keep to loopback and the test cluster's bridge.
package netnsprobe

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// Dial opens a TCP connection to addr ("ip:port") from inside the
// allocation's namespace and closes it at once.
func Dial(ctx context.Context, allocID, addr string) error {
	const script = `import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
socket.create_connection((host, int(port)), timeout=2).close()`
	return run(ctx, allocID, "connect "+addr, script, addr)
}

// HTTPGet does an HTTP GET (no proxy, 5 s timeout) from inside the
// allocation's namespace; nil when a response came back.
func HTTPGet(ctx context.Context, allocID, url string) error {
	const script = `import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
with opener.open(sys.argv[1], timeout=5) as r:
    print(r.status)`
	return run(ctx, allocID, "GET "+url, script, url)
}

// run runs a python3 script in the namespace; the error ends with the
// script's last line of output (the exception).
func run(ctx context.Context, allocID, what, script, arg string) error {
	out, err := exec.CommandContext(ctx, "ip", "netns", "exec", allocID, "python3", "-c", script, arg).CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return fmt.Errorf("%s from %s: %w: %s", what, allocID, err, lines[len(lines)-1])
	}
	return nil
}
