package agent

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// owner is the allocation and task a process belongs to.
type owner struct{ alloc, task string }

// socketOwners walks procDir for processes of the given allocations (found
// by NOMAD_ALLOC_ID in their environment, which Nomad sets for every task
// whatever its driver) and maps each of their sockets' inodes to the
// allocation and task. That is how host-mode tasks' sockets, which live in
// the host's namespace, are told apart from the host's own; in bridge mode
// it names the task inside the namespace.
func socketOwners(procDir string, allocs map[string]bool) map[uint32]owner {
	out := map[uint32]owner{}
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return out
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		pid := filepath.Join(procDir, e.Name())
		env, err := os.ReadFile(filepath.Join(pid, "environ"))
		if err != nil {
			continue // gone, or a kernel thread
		}
		o := ownerOf(env)
		if !allocs[o.alloc] {
			continue
		}
		fds, err := os.ReadDir(filepath.Join(pid, "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(pid, "fd", fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			if ino, err := strconv.ParseUint(strings.TrimSuffix(link[len("socket:["):], "]"), 10, 32); err == nil {
				out[uint32(ino)] = o
			}
		}
	}
	return out
}

// ownerOf reads NOMAD_ALLOC_ID and NOMAD_TASK_NAME from a NUL-separated environment.
func ownerOf(env []byte) owner {
	var o owner
	for _, kv := range bytes.Split(env, []byte{0}) {
		switch {
		case bytes.HasPrefix(kv, []byte("NOMAD_ALLOC_ID=")):
			o.alloc = string(kv[len("NOMAD_ALLOC_ID="):])
		case bytes.HasPrefix(kv, []byte("NOMAD_TASK_NAME=")):
			o.task = string(kv[len("NOMAD_TASK_NAME="):])
		}
	}
	return o
}
