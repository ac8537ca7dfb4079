package devcluster

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// maxBridges is how many clusters (or extra clients) may hold a bridge at once
// on one machine; slot i gets the /20 at 172.26.(64+16i).0, so 12 slots stay
// inside 172.26.64.0–172.26.255.255.
const maxBridges = 12

// Bridge is a Linux bridge owned by one Nomad client of a dev cluster: the
// client's network_interface (so host-mode ports bind its gateway address,
// which namespaces can reach) and Nomad's bridge network for bridge-mode
// allocations.
type Bridge struct {
	// Name of the interface, e.g. "nvz3".
	Name string
	// Gateway is the bridge's own address, the node address Nomad advertises.
	Gateway string
	// Subnet is the allocations' subnet, e.g. "172.26.112.0/20".
	Subnet string
	lock   *os.File
}

// acquireBridge picks a free slot (guarded by a file lock, so parallel test
// packages never share a bridge), creates the bridge and brings it up.
func acquireBridge(owner string) (*Bridge, error) {
	lockDir := filepath.Join(os.TempDir(), "netviz-bridges")
	if err := os.MkdirAll(lockDir, 0o755); err != nil {
		return nil, fmt.Errorf("bridge lock dir: %w", err)
	}
	for i := 0; i < maxBridges; i++ {
		f, err := os.OpenFile(filepath.Join(lockDir, fmt.Sprintf("%d.lock", i)), os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return nil, fmt.Errorf("bridge lock: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			continue
		}
		// 172.26.64.0/20 is Nomad's default; slot i uses the i-th /20 from there.
		third := 64 + 16*i
		b := &Bridge{
			Name:    fmt.Sprintf("nvz%d", i),
			Gateway: fmt.Sprintf("172.26.%d.1", third),
			Subnet:  fmt.Sprintf("172.26.%d.0/20", third),
			lock:    f,
		}
		// A killed run of the same slot may have left its bridge and tasks.
		cleanPreviousOwner(f, owner)
		recordOwner(f, owner)
		if err := cleanNAT(b.Subnet); err != nil {
			b.release()
			return nil, err
		}
		_ = run("ip", "link", "del", b.Name)
		if err := run("ip", "link", "add", b.Name, "type", "bridge"); err != nil {
			b.release()
			return nil, err
		}
		if err := run("ip", "addr", "add", b.Gateway+"/20", "dev", b.Name); err != nil {
			b.release()
			return nil, err
		}
		if err := run("ip", "link", "set", b.Name, "up"); err != nil {
			b.release()
			return nil, err
		}
		return b, nil
	}
	return nil, fmt.Errorf("no free bridge slot: %d dev clusters already running here", maxBridges)
}

// release deletes the bridge and frees its slot.
func (b *Bridge) release() {
	_ = run("ip", "link", "del", b.Name)
	if b.lock != nil {
		_ = b.lock.Truncate(0) // a clean release leaves nothing to clean up
		syscall.Flock(int(b.lock.Fd()), syscall.LOCK_UN)
		b.lock.Close()
		b.lock = nil
	}
}

// run runs a command and returns its output in the error when it fails.
func run(name string, args ...string) error {
	var out bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w: %s", name, args, err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}
