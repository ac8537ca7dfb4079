//go:build integration

package reachtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"sync"
	"time"

	"github.com/netviz/netviz/internal/netnsprobe"
)

// dialTimeout bounds one probe: a closed port answers at once, an
// unrouted address would hang.
const dialTimeout = 2 * time.Second

// probeScript connects to each "ip:port" of argv[1] (a JSON list) in
// parallel and prints a JSON list of booleans: did connect() succeed.
const probeScript = `
import concurrent.futures, json, socket, sys
def probe(addr):
    host, port = addr.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect((host, int(port)))
        return True
    except Exception:
        return False
    finally:
        s.close()
with concurrent.futures.ThreadPoolExecutor(16) as ex:
    print(json.dumps(list(ex.map(probe, json.loads(sys.argv[1])))))
`

// probeFromNamespace runs connect() to each address from inside the network
// namespace Nomad made for the allocation (named by its ID).
func probeFromNamespace(ctx context.Context, allocID string, addrs []string) ([]bool, error) {
	list, err := json.Marshal(addrs)
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, "ip", "netns", "exec", allocID, "python3", "-c", probeScript, string(list)).Output()
	if err != nil {
		return nil, fmt.Errorf("probe from netns %s: %w", allocID, err)
	}
	var res []bool
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(addrs) {
		return nil, fmt.Errorf("probe from netns %s: output %q: %v", allocID, out, err)
	}
	return res, nil
}

// probeFromHost runs connect() to each address from the host's namespace.
func probeFromHost(ctx context.Context, addrs []string) []bool {
	res := make([]bool, len(addrs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16) // bounds parallel dials
	for i, a := range addrs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			d := net.Dialer{Timeout: dialTimeout}
			conn, err := d.DialContext(ctx, "tcp", a)
			if err == nil {
				res[i] = true
				conn.Close()
			}
		}()
	}
	wg.Wait()
	return res
}

// httpGetFromNamespace does an HTTP GET from inside the allocation's
// namespace and reports whether a response came back.
func httpGetFromNamespace(ctx context.Context, allocID, url string) error {
	return netnsprobe.HTTPGet(ctx, allocID, url)
}
