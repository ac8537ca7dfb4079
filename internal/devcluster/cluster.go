package devcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// startTimeout bounds how long Start waits for leaders and the node; the
// cluster normally needs well under 30 s once the tools are built.
const startTimeout = 90 * time.Second

// Options tune Start. The zero value is what tests and the demo use.
type Options struct {
	// ToolsDir holds the nomad and consul binaries; default ToolsDir().
	ToolsDir string
	// Dir is the cluster's work directory (data, logs, sockets); default a new
	// temporary directory, removed by Close.
	Dir string
	// ScaleAllocs, when above zero, readies the Nomad client for that many
	// small mock_driver allocations (ScaleJob): raised cpu, memory and disk
	// totals and a wider dynamic port range (see scale.go).
	ScaleAllocs int
	// EventBufferSize, when above zero, sets the Nomad server's
	// event_buffer_size (Nomad's default: 100 events): a small one makes
	// Nomad drop slow event stream subscribers sooner.
	EventBufferSize int
	// ACL turns ACLs on in both agents (acl.go): Nomad bootstrapped, Consul
	// default deny. The cluster's clients, Env and CLI carry the management
	// tokens (NomadToken, ConsulToken). Off by default; a test that wants it
	// starts a cluster of its own.
	ACL bool
}

// Cluster is a running dev cluster: one Consul server and a Nomad
// server+client, plus any extra client-only nodes.
type Cluster struct {
	// NomadAddr and ConsulAddr are the HTTP API URLs (http://127.0.0.1:port).
	NomadAddr  string
	ConsulAddr string
	// ConsulSocket is the unix socket of Consul's HTTP API; jobs' sidecar tasks
	// use it as CONSUL_HTTP_ADDR (unix://…) from inside their namespaces.
	ConsulSocket string
	// ConsulBin and NomadBin are the binaries in use.
	ConsulBin, NomadBin string
	// Bridge is the first node's bridge (network_interface and bridge network).
	Bridge *Bridge
	// Dir is the work directory.
	Dir string
	// NomadToken and ConsulToken are the management tokens in ACL mode,
	// empty otherwise.
	NomadToken, ConsulToken string

	nomad  *nomadapi.Client
	consul *consulapi.Client

	mu       sync.Mutex
	consulA  *agent
	consulC  consulConfig
	nomadA   *agent
	nomadC   nomadConfig
	clients  []*Client
	ownDir   bool
	closed   bool
	logPaths []string
}

// Start starts Consul, then Nomad, and waits until Consul has a leader, Nomad
// has a leader, the Nomad node is ready with bridge networking and Consul
// Connect fingerprinted. On error everything started is stopped again.
func Start(ctx context.Context, opts Options) (c *Cluster, err error) {
	if err := checkHost(); err != nil {
		return nil, fmt.Errorf("devcluster: host not ready: %w", err)
	}
	tools := opts.ToolsDir
	if tools == "" {
		tools = ToolsDir()
	}
	nomadBin, err := findTool(tools, "nomad")
	if err != nil {
		return nil, fmt.Errorf("devcluster: %w", err)
	}
	consulBin, err := findTool(tools, "consul")
	if err != nil {
		return nil, fmt.Errorf("devcluster: %w", err)
	}
	c = &Cluster{NomadBin: nomadBin, ConsulBin: consulBin, Dir: opts.Dir}
	if c.Dir == "" {
		// Short path: unix socket paths are limited to 108 bytes.
		if c.Dir, err = os.MkdirTemp("", "nvz-"); err != nil {
			return nil, fmt.Errorf("devcluster: %w", err)
		}
		c.ownDir = true
	}
	defer func() {
		if err != nil {
			logs := c.Logs()
			c.Close()
			err = fmt.Errorf("%w\n%s", err, logs)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	ports, err := freePorts(8)
	if err != nil {
		return c, err
	}
	c.ConsulSocket = filepath.Join(c.Dir, "consul_http.sock")
	if opts.ACL {
		c.ConsulToken = newSecret()
	}
	c.consulC = consulConfig{
		DataDir: filepath.Join(c.Dir, "consul"), Socket: c.ConsulSocket,
		HTTP: ports[0], GRPC: ports[1], SerfLAN: ports[2], SerfWAN: ports[3], Server: ports[4],
		ExtraHCL: consulACLHCL(c.ConsulToken),
	}
	if err := c.startConsul(); err != nil {
		return c, err
	}
	c.ConsulAddr = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	ccfg := consulapi.DefaultNonPooledConfig()
	ccfg.Address = fmt.Sprintf("127.0.0.1:%d", ports[0])
	ccfg.Token = c.ConsulToken
	if c.consul, err = consulapi.NewClient(ccfg); err != nil {
		return c, fmt.Errorf("devcluster: consul client: %w", err)
	}
	if err := waitFor(ctx, "consul leader", []*agent{c.consulA}, c.consulReady); err != nil {
		return c, fmt.Errorf("devcluster: %w", err)
	}

	if c.Bridge, err = acquireBridge(c.Dir); err != nil {
		return c, fmt.Errorf("devcluster: %w", err)
	}
	c.nomadC = nomadConfig{
		Name: "netviz-dev", DataDir: filepath.Join(c.Dir, "nomad"), Server: true,
		HTTP: ports[5], RPC: ports[6], Serf: ports[7], Bridge: c.Bridge,
		ConsulHTTP: ports[0], ConsulGRPC: ports[1], CNIConfigDir: filepath.Join(c.Dir, "cni"),
		ClientHCL: scaleClientHCL(opts.ScaleAllocs), ServerHCL: eventBufferHCL(opts.EventBufferSize),
		ExtraHCL: nomadACLHCL(opts.ACL), ConsulToken: c.ConsulToken,
	}
	if err := c.startNomad(); err != nil {
		return c, err
	}
	c.NomadAddr = fmt.Sprintf("http://127.0.0.1:%d", ports[5])
	ncfg := nomadapi.DefaultConfig()
	ncfg.Address = c.NomadAddr
	ncfg.SecretID = ""
	ncfg.Namespace = ""
	ncfg.Region = ""
	if c.nomad, err = nomadapi.NewClient(ncfg); err != nil {
		return c, fmt.Errorf("devcluster: nomad client: %w", err)
	}
	if opts.ACL {
		if err := c.bootstrapNomadACL(ctx); err != nil {
			return c, fmt.Errorf("devcluster: %w", err)
		}
	}
	if err := waitFor(ctx, "nomad leader and node", []*agent{c.consulA, c.nomadA}, func(ctx context.Context) error {
		return c.nodesReady(ctx, 1)
	}); err != nil {
		return c, fmt.Errorf("devcluster: %w", err)
	}
	return c, nil
}

func (c *Cluster) startConsul() error {
	if err := os.MkdirAll(c.consulC.DataDir, 0o755); err != nil {
		return fmt.Errorf("devcluster: %w", err)
	}
	cfg := filepath.Join(c.Dir, "consul.hcl")
	if err := os.WriteFile(cfg, []byte(c.consulC.render()), 0o644); err != nil {
		return fmt.Errorf("devcluster: %w", err)
	}
	log := filepath.Join(c.Dir, "consul.log")
	c.addLog(log)
	a, err := startAgent("consul", c.ConsulBin, log, "agent", "-config-file", cfg)
	if err != nil {
		return fmt.Errorf("devcluster: %w", err)
	}
	c.mu.Lock()
	c.consulA = a
	c.mu.Unlock()
	return nil
}

func (c *Cluster) startNomad() error {
	if err := os.MkdirAll(c.nomadC.CNIConfigDir, 0o755); err != nil {
		return fmt.Errorf("devcluster: %w", err)
	}
	cfg := filepath.Join(c.Dir, "nomad.hcl")
	if err := os.WriteFile(cfg, []byte(c.nomadC.render()), 0o644); err != nil {
		return fmt.Errorf("devcluster: %w", err)
	}
	log := filepath.Join(c.Dir, "nomad.log")
	c.addLog(log)
	a, err := startAgent("nomad", c.NomadBin, log, "agent", "-config", cfg)
	if err != nil {
		return fmt.Errorf("devcluster: %w", err)
	}
	c.mu.Lock()
	c.nomadA = a
	c.mu.Unlock()
	return nil
}

func (c *Cluster) addLog(p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, q := range c.logPaths {
		if q == p {
			return
		}
	}
	c.logPaths = append(c.logPaths, p)
}

// Nomad returns an API client for the cluster's Nomad.
func (c *Cluster) Nomad() *nomadapi.Client { return c.nomad }

// Consul returns an API client for the cluster's Consul.
func (c *Cluster) Consul() *consulapi.Client { return c.consul }

// Env returns the environment variables that point the official CLIs (and
// netviz) at this cluster.
func (c *Cluster) Env() []string {
	env := []string{"NOMAD_ADDR=" + c.NomadAddr, "CONSUL_HTTP_ADDR=" + c.ConsulAddr}
	if c.NomadToken != "" {
		env = append(env, "NOMAD_TOKEN="+c.NomadToken)
	}
	if c.ConsulToken != "" {
		env = append(env, "CONSUL_HTTP_TOKEN="+c.ConsulToken)
	}
	return env
}

func (c *Cluster) consulReady(ctx context.Context) error {
	leader, err := c.consul.Status().Leader()
	if err != nil {
		return err
	}
	if leader == "" {
		return errors.New("no consul leader yet")
	}
	// Connect's CA is set up right after the leader is elected.
	if _, _, err := c.consul.Connect().CARoots((&consulapi.QueryOptions{}).WithContext(ctx)); err != nil {
		return fmt.Errorf("connect CA: %w", err)
	}
	return nil
}

// nodesReady is nil once n Nomad nodes are ready with bridge networking and
// Consul Connect fingerprinted.
func (c *Cluster) nodesReady(ctx context.Context, n int) error {
	q := (&nomadapi.QueryOptions{}).WithContext(ctx)
	if _, err := c.nomad.Status().Leader(); err != nil {
		return err
	}
	stubs, _, err := c.nomad.Nodes().List(q)
	if err != nil {
		return err
	}
	ready := 0
	for _, s := range stubs {
		if s.Status != "ready" {
			continue
		}
		node, _, err := c.nomad.Nodes().Info(s.ID, q)
		if err != nil {
			return err
		}
		if node.Attributes["plugins.cni.version.bridge"] == "" {
			return fmt.Errorf("node %s: CNI bridge plugin not fingerprinted yet", s.Name)
		}
		if node.Attributes["consul.connect"] != "true" {
			return fmt.Errorf("node %s: consul connect not fingerprinted yet", s.Name)
		}
		if d := node.Drivers["raw_exec"]; d == nil || !d.Healthy {
			return fmt.Errorf("node %s: raw_exec not healthy yet", s.Name)
		}
		ready++
	}
	if ready < n {
		return fmt.Errorf("%d of %d nomad nodes ready", ready, n)
	}
	return nil
}

// Logs returns the tail of every agent log, for a failing test to print.
func (c *Cluster) Logs() string {
	c.mu.Lock()
	paths := append([]string(nil), c.logPaths...)
	c.mu.Unlock()
	var b strings.Builder
	for _, p := range paths {
		b.WriteString(tail(p, 6000))
		b.WriteString("\n")
	}
	// Tasks' own complaints (a port in use, a crash) are only in their logs.
	stderr, _ := filepath.Glob(filepath.Join(c.Dir, "nomad", "alloc", "*", "alloc", "logs", "*.stderr.[0-9]*"))
	for _, p := range stderr {
		if st, err := os.Stat(p); err == nil && st.Size() > 0 {
			b.WriteString(tail(p, 1500))
			b.WriteString("\n")
		}
	}
	return b.String()
}
