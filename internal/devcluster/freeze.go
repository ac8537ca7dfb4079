package devcluster

import (
	"errors"
	"fmt"
	"syscall"
)

// FreezeNomad stops the Nomad agent's process with SIGSTOP without closing
// anything: its sockets stay open and the kernel keeps accepting
// connections, but nothing answers. Clients then hold a real half-open
// stream, which only a missing heartbeat reveals. ThawNomad resumes it.
func (c *Cluster) FreezeNomad() error { return c.nomadA.signal(syscall.SIGSTOP) }

// ThawNomad resumes a Nomad agent stopped by FreezeNomad.
func (c *Cluster) ThawNomad() error { return c.nomadA.signal(syscall.SIGCONT) }

// signal sends sig to the agent's process.
func (a *agent) signal(sig syscall.Signal) error {
	if a == nil || a.cmd.Process == nil || a.exited() {
		return errors.New("agent not running")
	}
	if err := a.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("%s: signal %v: %w", a.name, sig, err)
	}
	return nil
}
