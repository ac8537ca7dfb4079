package devcluster

import (
	"context"
	"errors"
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
	// ConsulAddr is the HTTP API of the node's own Consul client agent
	// (ClientOptions.OwnConsul), empty when it shares the server's.
	ConsulAddr string
	a          *agent
	consul     *agent
}

// ClientOptions tune StartClientWith. The zero value is StartClient's.
type ClientOptions struct {
	// OwnConsul gives the node its own Consul client agent (on loopback,
	// its own ports, joined to the server), as every node of a real cluster
	// has. Without it the node's Nomad registers its services with the
	// server's Consul agent, which the first node uses too; Nomad 1.6's
	// service sync removes, after a minute, the Nomad services of its agent
	// that it did not register itself, so two Nomad clients on one Consul
	// agent keep deregistering each other's services (and with them their
	// Connect sidecars). Tests that run Connect services on more than one
	// node need it. Not supported with Options.ACL yet.
	OwnConsul bool
}

// StartClient starts a client-only Nomad agent named name joined to the
// cluster's server, and waits until it is ready.
func (c *Cluster) StartClient(ctx context.Context, name string) (*Client, error) {
	return c.StartClientWith(ctx, name, ClientOptions{})
}

// StartClientWith is StartClient with options. The node gets its own data
// and alloc directory, ports, bridge (and so subnet and node address) and
// CNI config directory, so it shares nothing with the first node but the
// host's iptables, where each node's CNI rules name its own subnet.
func (c *Cluster) StartClientWith(ctx context.Context, name string, opts ClientOptions) (cl *Client, err error) {
	if opts.OwnConsul && c.ConsulToken != "" {
		return nil, errors.New("devcluster: OwnConsul is not supported with ACLs")
	}
	dir := filepath.Join(c.Dir, "client-"+name)
	cl = &Client{Name: name}
	registered := false // from then on Close stops it
	defer func() {
		if err != nil && !registered {
			_ = cl.stop()
		}
	}()
	consulHTTP, consulGRPC := c.consulC.HTTP, c.consulC.GRPC
	if opts.OwnConsul {
		if consulHTTP, consulGRPC, err = c.startNodeConsul(ctx, cl, dir); err != nil {
			return cl, err
		}
	}
	if cl.Bridge, err = acquireBridge(c.Dir); err != nil {
		return cl, fmt.Errorf("devcluster: %w", err)
	}
	ports, err := freePorts(3)
	if err != nil {
		return cl, err
	}
	// The data (and alloc) directory sits right under the cluster's, with a
	// short name: Nomad binds unix sockets inside each allocation
	// (alloc/tmp/consul_grpc.sock for Connect), and a socket path may not
	// exceed 108 bytes.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cl, fmt.Errorf("devcluster: %w", err)
	}
	dataDir, err := os.MkdirTemp(c.Dir, "n")
	if err != nil {
		return cl, fmt.Errorf("devcluster: %w", err)
	}
	cfg := nomadConfig{
		Name: name, DataDir: dataDir, ServerRPCAddr: fmt.Sprintf("127.0.0.1:%d", c.nomadC.RPC),
		HTTP: ports[0], RPC: ports[1], Serf: ports[2], Bridge: cl.Bridge,
		ConsulHTTP: consulHTTP, ConsulGRPC: consulGRPC, CNIConfigDir: filepath.Join(dir, "cni"),
	}
	if err := os.MkdirAll(cfg.CNIConfigDir, 0o755); err != nil {
		return cl, fmt.Errorf("devcluster: %w", err)
	}
	path := filepath.Join(dir, "nomad.hcl")
	if err := os.WriteFile(path, []byte(cfg.render()), 0o644); err != nil {
		return cl, fmt.Errorf("devcluster: %w", err)
	}
	log := filepath.Join(dir, "nomad.log")
	c.addLog(log)
	if cl.a, err = startAgent("nomad client "+name, c.NomadBin, log, "agent", "-config", path); err != nil {
		return cl, fmt.Errorf("devcluster: %w", err)
	}
	c.mu.Lock()
	c.clients = append(c.clients, cl)
	registered = true
	n := 1 + len(c.clients)
	c.mu.Unlock()
	agents := []*agent{cl.a}
	if cl.consul != nil {
		agents = append(agents, cl.consul)
	}
	if err := waitFor(ctx, "nomad client "+name, agents, func(ctx context.Context) error {
		return c.nodesReady(ctx, n)
	}); err != nil {
		return nil, fmt.Errorf("devcluster: %w", err)
	}
	return cl, nil
}

// startNodeConsul starts the node's Consul client agent and waits until
// the catalog lists it; it returns the agent's HTTP and gRPC ports.
func (c *Cluster) startNodeConsul(ctx context.Context, cl *Client, dir string) (httpPort, grpcPort int, err error) {
	ports, err := freePorts(5)
	if err != nil {
		return 0, 0, err
	}
	cfg := consulConfig{
		NodeName: cl.Name, Join: fmt.Sprintf("127.0.0.1:%d", c.consulC.SerfLAN),
		DataDir: filepath.Join(dir, "consul"), Socket: filepath.Join(dir, "consul.sock"),
		HTTP: ports[0], GRPC: ports[1], SerfLAN: ports[2], SerfWAN: ports[3], Server: ports[4],
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return 0, 0, fmt.Errorf("devcluster: %w", err)
	}
	path := filepath.Join(dir, "consul.hcl")
	if err := os.WriteFile(path, []byte(cfg.render()), 0o644); err != nil {
		return 0, 0, fmt.Errorf("devcluster: %w", err)
	}
	log := filepath.Join(dir, "consul.log")
	c.addLog(log)
	if cl.consul, err = startAgent("consul client "+cl.Name, c.ConsulBin, log, "agent", "-config-file", path); err != nil {
		return 0, 0, fmt.Errorf("devcluster: %w", err)
	}
	cl.ConsulAddr = fmt.Sprintf("http://127.0.0.1:%d", cfg.HTTP)
	if err := waitFor(ctx, "consul client "+cl.Name, []*agent{c.consulA, cl.consul}, func(context.Context) error {
		node, _, err := c.consul.Catalog().Node(cl.Name, nil)
		if err == nil && node == nil {
			err = fmt.Errorf("%s not in the catalog yet", cl.Name)
		}
		return err
	}); err != nil {
		return 0, 0, fmt.Errorf("devcluster: %w", err)
	}
	return cfg.HTTP, cfg.GRPC, nil
}

// stop stops the node's Nomad, then its Consul, and frees its bridge.
func (cl *Client) stop() error {
	var errs []error
	if cl.a != nil {
		errs = append(errs, cl.a.stop())
	}
	if cl.consul != nil {
		errs = append(errs, cl.consul.stop())
	}
	if cl.Bridge != nil {
		cl.Bridge.release()
	}
	return errors.Join(errs...)
}
