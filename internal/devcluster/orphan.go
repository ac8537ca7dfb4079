package devcluster

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// killUnder kills every process whose working directory, command line or
// open files lie under dir: task processes (raw_exec tasks run in their task
// dir), executors, and logmons (which only hold the task's log files open)
// of a cluster whose agent is gone. A cluster killed
// without Close (a test binary timed out, a demo got SIGKILL) leaves them
// holding ports on its bridge address, which the next cluster on the same
// slot would then fail to bind.
func killUnder(dir string) int {
	if dir == "" || dir == "/" {
		return 0
	}
	self := os.Getpid()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	killed := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self || pid == 1 {
			continue
		}
		p := filepath.Join("/proc", e.Name())
		cwd, _ := os.Readlink(filepath.Join(p, "cwd"))
		cmd, _ := os.ReadFile(filepath.Join(p, "cmdline"))
		if strings.HasPrefix(cwd, dir+"/") || cwd == dir || strings.Contains(string(cmd), dir+"/") || holdsFileUnder(p, dir) {
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
			}
		}
	}
	return killed
}

// recordOwner writes the cluster dir into a slot's lock file, so the next
// holder of the slot can clean up after a holder that died.
func recordOwner(lock *os.File, dir string) {
	if lock == nil {
		return
	}
	_ = lock.Truncate(0)
	_, _ = lock.WriteAt([]byte(dir), 0)
}

// cleanPreviousOwner kills what a dead previous holder of the slot left
// running, unmounts its mounts and removes its directory.
func cleanPreviousOwner(lock *os.File, dir string) {
	buf := make([]byte, 4096)
	n, _ := lock.ReadAt(buf, 0)
	prev := strings.TrimSpace(string(buf[:n]))
	if prev == "" || prev == dir || !strings.HasPrefix(filepath.Base(prev), "nvz-") {
		return
	}
	killUnder(prev)
	unmountUnder(prev)
	_ = os.RemoveAll(prev)
}

// holdsFileUnder reports whether the process at /proc path p has a file
// open below dir.
func holdsFileUnder(p, dir string) bool {
	fds, err := os.ReadDir(filepath.Join(p, "fd"))
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join(p, "fd", fd.Name())); err == nil && strings.HasPrefix(target, dir+"/") {
			return true
		}
	}
	return false
}
