// Package agent is `netviz agent`: run on every Nomad client (a system
// job), it samples the TCP sockets of the node's allocations — each bridge
// allocation's network namespace through sock_diag, host-mode tasks' sockets
// in the host namespace told apart by their processes — and conntrack's
// host-port NAT entries, aggregates them into bounded flows and posts them
// every few seconds to the netviz server, which maps them onto the model.
// See docs/observed.md for what it needs (root: CAP_SYS_ADMIN to enter
// namespaces, CAP_NET_ADMIN for conntrack, CAP_SYS_PTRACE to read other
// processes' fds and environment).
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
)

// Config is what the agent needs; zero values take the defaults.
type Config struct {
	// Server is the netviz server's base URL (https://host:port).
	Server string
	// Secret is the shared secret sent as a bearer token; empty with mTLS.
	Secret string
	// NodeID is this Nomad client's node ID; default: asked of the local
	// Nomad agent (its /v1/agent/self).
	NodeID string
	// Interval between samples and reports; default 2 s.
	Interval time.Duration
	// NetnsDir holds the namespaces Nomad names after allocation IDs;
	// default /var/run/netns.
	NetnsDir string
	// ProcDir is procfs; default /proc.
	ProcDir string
	// Sender posts reports; default an HTTP sender to Server.
	Sender Sender
	// Nomad is the Nomad client's config; default api.DefaultConfig().
	Nomad *nomadapi.Config
	Log   *slog.Logger
}

// Sender delivers one report; an error means it was not accepted.
type Sender interface {
	Send(ctx context.Context, r *model.ObservationReport) error
}

// Agent samples one node and reports.
type Agent struct {
	cfg   Config
	nomad *nomadapi.Client
	agg   Aggregator
}

// New makes an agent with the official Nomad client from
// api.DefaultConfig() (NOMAD_ADDR, NOMAD_TOKEN, ... as the CLI reads them).
func New(cfg Config) (*Agent, error) {
	if cfg.Interval <= 0 {
		cfg.Interval = 2 * time.Second
	}
	if cfg.NetnsDir == "" {
		cfg.NetnsDir = "/var/run/netns"
	}
	if cfg.ProcDir == "" {
		cfg.ProcDir = "/proc"
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Sender == nil {
		if cfg.Server == "" {
			return nil, errors.New("no server to report to")
		}
		cfg.Sender = &HTTPSender{URL: cfg.Server, Secret: cfg.Secret}
	}
	if cfg.Nomad == nil {
		cfg.Nomad = nomadapi.DefaultConfig()
	}
	c, err := nomadapi.NewClient(cfg.Nomad)
	if err != nil {
		return nil, fmt.Errorf("nomad client: %w", err)
	}
	return &Agent{cfg: cfg, nomad: c}, nil
}

// Run samples and reports every Interval until ctx ends.
func (a *Agent) Run(ctx context.Context) error {
	if a.cfg.NodeID == "" {
		id, err := a.localNodeID(ctx)
		if err != nil {
			return err
		}
		a.cfg.NodeID = id
	}
	a.cfg.Log.Info("agent running", "node", a.cfg.NodeID, "server", a.cfg.Server, "interval", a.cfg.Interval)
	t := time.NewTicker(a.cfg.Interval)
	defer t.Stop()
	for {
		if err := a.Once(ctx); err != nil && ctx.Err() == nil {
			a.cfg.Log.Warn("agent cycle", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Once samples the node and sends a report.
func (a *Agent) Once(ctx context.Context) error {
	allocs, err := a.nodeAllocs(ctx)
	if err != nil {
		return err
	}
	a.agg.Add(a.sample(allocs))
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := a.cfg.Sender.Send(sctx, a.agg.Report(a.cfg.NodeID)); err != nil {
		var refused *RefusedError
		if errors.As(err, &refused) && refused.Permanent() {
			// The same flows would be refused forever: drop them.
			a.agg.Sent()
		}
		return fmt.Errorf("report: %w", err)
	}
	a.agg.Sent()
	return nil
}

// nodeAlloc is what the agent needs of one of its node's allocations.
type nodeAlloc struct {
	id     string
	bridge bool // has a namespace of its own
	ip     netip.Addr
}

func (a *Agent) localNodeID(ctx context.Context) (string, error) {
	self, err := a.nomad.Agent().Self()
	if err != nil {
		return "", fmt.Errorf("nomad agent self: %w", err)
	}
	if id := self.Stats["client"]["node_id"]; id != "" {
		return id, nil
	}
	return "", errors.New("the local Nomad agent is not a client: give --node-id")
}

func (a *Agent) nodeAllocs(ctx context.Context) ([]nodeAlloc, error) {
	list, _, err := a.nomad.Nodes().Allocations(a.cfg.NodeID, (&nomadapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("node allocations: %w", err)
	}
	var out []nodeAlloc
	for _, al := range list {
		if na, ok := toNodeAlloc(al); ok {
			out = append(out, na)
		}
	}
	return out, nil
}

// toNodeAlloc keeps what the agent samples of one allocation, or false for
// a terminal one. The mode is model.NetworkMode's, as the collector decides
// it, so the agent looks in the namespace the model says the allocation has:
// the allocated network's mode, else its task group's (the list carries each
// allocation's job).
func toNodeAlloc(al *nomadapi.Allocation) (nodeAlloc, bool) {
	if al == nil || model.TerminalClientStatus(al.ClientStatus) {
		return nodeAlloc{}, false
	}
	var allocated, asked string
	if al.AllocatedResources != nil && len(al.AllocatedResources.Shared.Networks) > 0 && al.AllocatedResources.Shared.Networks[0] != nil {
		allocated = al.AllocatedResources.Shared.Networks[0].Mode
	}
	if al.Job != nil {
		for _, g := range al.Job.TaskGroups {
			if g != nil && g.Name != nil && *g.Name == al.TaskGroup && len(g.Networks) > 0 && g.Networks[0] != nil {
				asked = g.Networks[0].Mode
				break
			}
		}
	}
	na := nodeAlloc{id: al.ID, bridge: model.NetworkMode(allocated, asked) != model.ModeHost}
	if al.NetworkStatus != nil {
		na.ip, _ = netip.ParseAddr(al.NetworkStatus.Address)
	}
	return na, true
}

// sample takes one pass over the node: the host namespace (host-mode
// tasks, and the host's own connections into namespaces), every bridge
// allocation's namespace, and conntrack's host-port NAT entries.
func (a *Agent) sample(allocs []nodeAlloc) Sample {
	ids := map[string]bool{}
	nsIPs := map[netip.Addr]string{}
	for _, al := range allocs {
		ids[al.id] = true
		if al.ip.IsValid() && al.bridge {
			nsIPs[al.ip] = al.id
		}
	}
	owners := socketOwners(a.cfg.ProcDir, ids)
	var s Sample
	host, err := sockets("")
	if err != nil {
		a.cfg.Log.Warn("host sockets", "err", err)
	}
	for _, so := range host {
		o := owners[so.INode]
		sock, ok := toSocket(so, o.alloc, o.task)
		if !ok {
			continue
		}
		// The host's own sockets matter only where they reach a namespace.
		if o.alloc == "" && (sock.State == StateListen || nsIPs[sock.Remote.Addr()] == "") {
			continue
		}
		s.Sockets = append(s.Sockets, sock)
	}
	for _, al := range allocs {
		if !al.bridge {
			continue
		}
		path := filepath.Join(a.cfg.NetnsDir, al.id)
		if _, err := os.Stat(path); err != nil {
			continue // not created yet, or already gone
		}
		socks, err := sockets(path)
		if err != nil {
			a.cfg.Log.Debug("namespace sockets", "alloc", al.id, "err", err)
			continue
		}
		for _, so := range socks {
			if sock, ok := toSocket(so, al.id, owners[so.INode].task); ok {
				s.Sockets = append(s.Sockets, sock)
			}
		}
	}
	if s.NATs, err = natFlows(func(ip netip.Addr) string { return nsIPs[ip] }); err != nil {
		a.cfg.Log.Warn("conntrack", "err", err)
	}
	return s
}
