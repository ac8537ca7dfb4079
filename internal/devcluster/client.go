package devcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Client is an extra client-only Nomad agent: another node, with its own
// bridge and address, so tests can place groups on different hosts.
type Client struct {
	// Name is the node name.
	Name string
	// Bridge is this node's bridge; its Gateway is the node's address.
	Bridge *Bridge
	a      *agent
}

// StartClient starts a client-only Nomad agent named name joined to the
// cluster's server, and waits until it is ready.
func (c *Cluster) StartClient(ctx context.Context, name string) (*Client, error) {
	br, err := acquireBridge(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("devcluster: %w", err)
	}
	ports, err := freePorts(3)
	if err != nil {
		br.release()
		return nil, err
	}
	dir := filepath.Join(c.Dir, "client-"+name)
	cfg := nomadConfig{
		Name: name, DataDir: filepath.Join(dir, "data"), ServerRPCAddr: fmt.Sprintf("127.0.0.1:%d", c.nomadC.RPC),
		HTTP: ports[0], RPC: ports[1], Serf: ports[2], Bridge: br,
		ConsulHTTP: c.consulC.HTTP, ConsulGRPC: c.consulC.GRPC, CNIConfigDir: filepath.Join(dir, "cni"),
	}
	if err := os.MkdirAll(cfg.CNIConfigDir, 0o755); err != nil {
		br.release()
		return nil, fmt.Errorf("devcluster: %w", err)
	}
	path := filepath.Join(dir, "nomad.hcl")
	if err := os.WriteFile(path, []byte(cfg.render()), 0o644); err != nil {
		br.release()
		return nil, fmt.Errorf("devcluster: %w", err)
	}
	log := filepath.Join(dir, "nomad.log")
	c.addLog(log)
	a, err := startAgent("nomad client "+name, c.NomadBin, log, "agent", "-config", path)
	if err != nil {
		br.release()
		return nil, fmt.Errorf("devcluster: %w", err)
	}
	cl := &Client{Name: name, Bridge: br, a: a}
	c.mu.Lock()
	c.clients = append(c.clients, cl)
	n := 1 + len(c.clients)
	c.mu.Unlock()
	if err := waitFor(ctx, "nomad client "+name, []*agent{a}, func(ctx context.Context) error {
		return c.nodesReady(ctx, n)
	}); err != nil {
		return nil, fmt.Errorf("devcluster: %w", err)
	}
	return cl, nil
}

func (cl *Client) stop() error {
	err := cl.a.stop()
	cl.Bridge.release()
	return err
}
