package devcluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// purgeTimeout bounds how long Close waits for allocations to stop after
// purging every job.
const purgeTimeout = 30 * time.Second

// Close purges every job, waits for their tasks to stop, stops the agents
// (clients first, then the server, then Consul), unmounts what the client
// left mounted, deletes the bridges and removes the work directory. It is
// safe to call twice.
func (c *Cluster) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()

	var errs []error
	if c.nomad != nil && c.nomadA != nil && !c.nomadA.exited() {
		ctx, cancel := context.WithTimeout(context.Background(), purgeTimeout)
		errs = append(errs, c.purgeAll(ctx))
		cancel()
	}
	for _, cl := range c.clients {
		errs = append(errs, cl.stop())
	}
	if c.nomadA != nil {
		errs = append(errs, c.nomadA.stop())
	}
	if c.consulA != nil {
		errs = append(errs, c.consulA.stop())
	}
	if c.Dir != "" {
		// Anything a task left behind (it should be none after the purge).
		killUnder(c.Dir)
	}
	if c.Bridge != nil {
		c.Bridge.release()
	}
	if c.Dir != "" {
		unmountUnder(c.Dir)
		if c.ownDir {
			errs = append(errs, os.RemoveAll(c.Dir))
		}
	}
	return errors.Join(errs...)
}

// purgeAll deregisters every job with purge and waits until no allocation is
// running, so no task process outlives the cluster.
func (c *Cluster) purgeAll(ctx context.Context) error {
	q := (&nomadapi.QueryOptions{Namespace: "*"}).WithContext(ctx)
	jobs, _, err := c.nomad.Jobs().List(q)
	if err != nil {
		return fmt.Errorf("list jobs: %w", err)
	}
	for _, j := range jobs {
		w := (&nomadapi.WriteOptions{Namespace: j.Namespace}).WithContext(ctx)
		if _, _, err := c.nomad.Jobs().Deregister(j.ID, true, w); err != nil {
			return fmt.Errorf("purge %s: %w", j.ID, err)
		}
	}
	return waitFor(ctx, "allocations to stop", nil, func(ctx context.Context) error {
		allocs, _, err := c.nomad.Allocations().List(q)
		if err != nil {
			return err
		}
		for _, a := range allocs {
			if a.ClientStatus == "running" || a.ClientStatus == "pending" {
				return fmt.Errorf("allocation %s still %s", a.ID, a.ClientStatus)
			}
		}
		return nil
	})
}

// unmountUnder lazily unmounts every mount point below dir (Nomad mounts
// tmpfs secret dirs per task), deepest first, so the directory can be removed.
func unmountUnder(dir string) {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		// The kernel writes a space in a path as \040 (a task named "a b").
		point := unescapeMount(fields[1])
		if strings.HasPrefix(point, dir+"/") {
			points = append(points, point)
		}
	}
	for i := len(points) - 1; i >= 0; i-- {
		_ = syscall.Unmount(points[i], syscall.MNT_DETACH)
	}
}

// unescapeMount decodes the octal escapes (\040 space, \011 tab, \012
// newline, \134 backslash) of a /proc/self/mounts field.
func unescapeMount(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// RestartNomad stops the Nomad server+client agent and starts it again with
// the same data dir and ports (tasks keep running through the restart, as in
// a real upgrade). It returns once the node is ready again.
func (c *Cluster) RestartNomad(ctx context.Context) error {
	if err := c.nomadA.stop(); err != nil {
		return err
	}
	if err := c.startNomad(); err != nil {
		return err
	}
	return waitFor(ctx, "nomad after restart", []*agent{c.nomadA}, func(ctx context.Context) error {
		return c.nodesReady(ctx, 1+len(c.clients))
	})
}

// StopConsul stops the Consul agent (Nomad keeps running).
func (c *Cluster) StopConsul() error { return c.consulA.stop() }

// StartConsul starts Consul again with the same data and ports after
// StopConsul and waits for its leader.
func (c *Cluster) StartConsul(ctx context.Context) error {
	if err := c.startConsul(); err != nil {
		return err
	}
	return waitFor(ctx, "consul after restart", []*agent{c.consulA}, c.consulReady)
}
