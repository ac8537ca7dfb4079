package devcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ToolsDir is where scripts/tools.sh caches the nomad and consul binaries:
// $NETVIZ_TOOLS_DIR, else $XDG_CACHE_HOME/netviz/bin, else ~/.cache/netviz/bin.
func ToolsDir() string {
	if d := os.Getenv("NETVIZ_TOOLS_DIR"); d != "" {
		return d
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "/root"
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "netviz", "bin")
}

// findTool returns the path of a cached tool binary, or a message saying how
// to build it.
func findTool(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s not found in %s: run 'make tools' (scripts/tools.sh) first", name, dir)
	}
	return p, nil
}

// checkHost reports what the host lacks for bridge networking.
func checkHost() error {
	var errs []error
	if _, err := os.Stat("/usr/lib/cni/bridge"); err != nil {
		errs = append(errs, errors.New("CNI plugins missing in /usr/lib/cni: apt-get install containernetworking-plugins (make tools does it)"))
	}
	for _, bin := range []string{"ip", "iptables"} {
		if _, err := exec.LookPath(bin); err != nil {
			errs = append(errs, fmt.Errorf("%s not on PATH: apt-get install iproute2 iptables", bin))
		}
	}
	if os.Geteuid() != 0 {
		errs = append(errs, errors.New("bridge networking needs root (network namespaces, iptables)"))
	}
	return errors.Join(errs...)
}
