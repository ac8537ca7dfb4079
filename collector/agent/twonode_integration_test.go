//go:build integration

package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/agent"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/checktest"
	"github.com/netviz/netviz/internal/devcluster"
)

// The two nodes of TestAgentTwoNodes: the dev cluster's first node and a
// second client on the same machine with its own bridge and Consul agent.
const (
	nodeA = "netviz-dev"
	nodeB = "netviz-dev-b"
)

// seenWithin is how soon after a request its edge must be in the model
// (issue 14 asks for 10 s; the agents report every second).
const seenWithin = 10 * time.Second

// TestAgentTwoNodes runs deploy/netviz-agent.nomad.hcl as a system job on
// a cluster of its own with two Nomad clients, echo on node B and its
// client on node A, and checks that cross-node traffic through B's host
// port and through the mesh shows as the right edge, that each agent
// speaks only for its own node, and that stopping B's agent ages out B's
// observations while A's stay.
func TestAgentTwoNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	c, err := devcluster.Start(ctx, devcluster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(c.Logs())
		}
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	b, err := c.StartClientWith(ctx, nodeB, devcluster.ClientOptions{OwnConsul: true})
	if err != nil {
		t.Fatal(err)
	}
	vars := c.JobVars()
	vars["echo_node"], vars["client_node"] = "^"+nodeB+"$", "^"+nodeA+"$"
	if _, err := c.RunVars(ctx, "testdata/observed.nomad.hcl", vars); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHealthy(ctx, "default", "observed"); err != nil {
		t.Fatal(err)
	}
	s := startServerOn(t, c, false)
	runAgentJob(ctx, t, c, s.url)

	nodes := nodeIDs(t, c.Nomad())
	echo, client := s.alloc(t, "echo"), s.alloc(t, "client")
	if echo.NodeID != nodes[nodeB] || client.NodeID != nodes[nodeA] {
		t.Fatalf("echo on %s, client on %s; want %s and %s", echo.NodeID, client.NodeID, nodes[nodeB], nodes[nodeA])
	}
	agents := agentAllocs(t, c.Nomad())
	if len(agents) != 2 || agents[nodes[nodeA]] == "" || agents[nodes[nodeB]] == "" {
		t.Fatalf("agent allocations per node: %v, want one on each of %v", agents, nodes)
	}

	// A → B's host port, at B's node address.
	hp, hostIP := echoHostPort(t, echo, b.Bridge.Gateway)
	hostPort := func(e model.ObservedEdge) bool {
		return e.Kind == model.ObservedHostPort && e.From == client.ID && e.To == echo.ID && e.Port == "http"
	}
	getFrom(t, client.ID, fmt.Sprintf("http://%s:%d/", hostIP, hp.Value))
	took := s.waitWithin(t, "host port across nodes", seenWithin, hostPort)
	t.Logf("host port %s:%d from node A to node B: edge after %s", hostIP, hp.Value, took.Round(10*time.Millisecond))
	// B's agent saw the server side through conntrack, with the
	// connection's original source: A's namespace address.
	waitFlow(t, s, nodes[nodeB], "echo accepting A's request through its host port", func(f model.ObservedFlow) bool {
		return f.Alloc == echo.ID && f.Side == model.SideServer && f.OrigSrcIP == client.Network.IP && f.OrigDstPort == hp.Value
	})

	// A → B through the mesh: A's sidecar dials B's sidecar at B's node
	// address and its host port.
	mesh := func(e model.ObservedEdge) bool {
		return e.Kind == model.ObservedMesh && e.From == client.ID && e.To == echo.ID && e.Service == "echo"
	}
	getFrom(t, client.ID, "http://127.0.0.1:19090/")
	took = s.waitWithin(t, "mesh across nodes", seenWithin, mesh)
	t.Logf("mesh from node A to node B: edge after %s", took.Round(10*time.Millisecond))
	sidecar, ok := echo.PortByLabel("connect-proxy-echo")
	if !ok {
		t.Fatalf("echo has no sidecar port: %+v", echo.Ports)
	}
	inner := sidecar.To
	if inner <= 0 { // the same number inside as on the host
		inner = sidecar.Value
	}
	// The hop between the sidecars crossed the nodes: B's agent saw B's
	// sidecar accept it through its host port, from A's namespace address.
	// A's side of that hop is usually gone before A's agent samples: B
	// closes first, so A's socket leaves no TIME_WAIT (docs/observed.md).
	waitFlow(t, s, nodes[nodeB], "B's sidecar accepting A's", func(f model.ObservedFlow) bool {
		return f.Alloc == echo.ID && f.Side == model.SideServer && f.LocalPort == inner &&
			f.OrigSrcIP == client.Network.IP && f.OrigDstPort == sidecar.Value
	})

	// Both agents see the one host's conntrack and sockets, yet each
	// reports only its own allocations' sides.
	snap := s.store.Snapshot()
	for node, other := range map[string]*model.Allocation{nodes[nodeA]: echo, nodes[nodeB]: client} {
		n := snap.ObservedNode(node)
		if n == nil {
			t.Fatalf("node %s: no reports", node)
		}
		for _, f := range n.Flows {
			if f.Alloc == other.ID || f.LocalIP == other.Network.IP {
				t.Errorf("node %s's agent reported a flow of %s on the other node: %+v", node, other.ID, f)
			}
		}
	}

	// A report claiming a flow of B's allocation counts only from B: sent
	// as node A it is kept but draws nothing; the same flow from node B
	// draws the edge (a same-namespace connection nothing else makes).
	forged := model.ObservedFlow{Alloc: echo.ID, Side: model.SideClient, LocalIP: echo.Network.IP,
		RemoteIP: echo.Network.IP, RemotePort: 8080, Established: true, Count: 1}
	selfEdge := func(e model.ObservedEdge) bool { return e.From == echo.ID && e.To == echo.ID }
	postReport(t, s.url, nodes[nodeA], forged)
	kept := false
	for _, f := range s.store.Snapshot().ObservedNode(nodes[nodeA]).Flows {
		kept = kept || f.Alloc == echo.ID
	}
	if !kept {
		t.Fatal("node A's report of B's allocation was not kept at all")
	}
	for _, e := range s.store.Snapshot().ObservedEdges() {
		if selfEdge(e) {
			t.Fatalf("node A's report drew an edge of node B's allocation: %+v", e)
		}
	}
	postReport(t, s.url, nodes[nodeB], forged)
	s.waitWithin(t, "the same flow reported from its own node", seenWithin, selfEdge)

	// Stop B's agent (B made ineligible first, so the system job does not
	// place it again): B's observations age out after the window, A's
	// stay. Requests through the mesh keep A's side (its upstream
	// listener) fresh meanwhile.
	if _, err := c.Nomad().Nodes().ToggleEligibility(nodes[nodeB], false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Nomad().Allocations().Stop(&nomadapi.Allocation{ID: agents[nodes[nodeB]]}, nil); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	deadline := stopped.Add(window + waitEdge)
	for s.store.Snapshot().ObservedNode(nodes[nodeB]) != nil {
		if time.Now().After(deadline) {
			t.Fatal("node B's observations never aged out after its agent stopped")
		}
		getFrom(t, client.ID, "http://127.0.0.1:19090/")
		time.Sleep(time.Second)
	}
	t.Logf("node B forgotten %s after its agent was stopped (window %s)", time.Since(stopped).Round(100*time.Millisecond), window)
	if n := agentAllocs(t, c.Nomad()); len(n) != 1 || n[nodes[nodeA]] == "" {
		t.Fatalf("running agents after the stop: %v, want only node A's", n)
	}
	snap = s.store.Snapshot()
	a := snap.ObservedNode(nodes[nodeA])
	if a == nil {
		t.Fatal("node A's observations went with node B's")
	}
	fresh := false
	for _, f := range a.Flows {
		fresh = fresh || (f.Alloc == client.ID && f.LastSeen.After(stopped))
	}
	meshFromA := false
	for _, e := range snap.ObservedEdges() {
		meshFromA = meshFromA || (e.Kind == model.ObservedMesh && e.From == client.ID && e.Service == "echo")
		if selfEdge(e) {
			t.Errorf("node B's flow outlived its agent: %+v", e)
		}
	}
	if !fresh || !meshFromA {
		t.Errorf("node A's side is gone (a fresh flow: %v, its mesh edge: %v): %+v", fresh, meshFromA, snap.ObservedEdges())
	}
}

// waitFlow waits until node's agent has reported a matching flow.
func waitFlow(t *testing.T, s *stack, node, what string, match func(model.ObservedFlow) bool) {
	t.Helper()
	deadline := time.Now().Add(seenWithin)
	for time.Now().Before(deadline) {
		if n := s.store.Snapshot().ObservedNode(node); n != nil {
			for _, f := range n.Flows {
				if match(f) {
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("node %s: no flow %s within %s: %+v", node, what, seenWithin, s.store.Snapshot().ObservedNode(node))
}

// runAgentJob runs the shipped agent job as a system job on every node of
// c, reporting to server, and waits until each node runs one.
func runAgentJob(ctx context.Context, t *testing.T, c *devcluster.Cluster, server string) {
	t.Helper()
	bin, err := checktest.BuildNetviz(ctx, "../..", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Nomad().Variables().Create(&nomadapi.Variable{Path: "nomad/jobs/netviz-agent",
		Items: nomadapi.VariableItems{"secret": secret}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RunVars(ctx, "../../deploy/netviz-agent.nomad.hcl", map[string]string{
		"netviz_bin": bin, "nomad_addr": c.NomadAddr, "server": server, "interval": "1s",
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHealthy(ctx, "default", "netviz-agent"); err != nil {
		t.Fatal(err)
	}
}

// nodeIDs maps node names to IDs.
func nodeIDs(t *testing.T, nomad *nomadapi.Client) map[string]string {
	t.Helper()
	stubs, _, err := nomad.Nodes().List(nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, n := range stubs {
		ids[n.Name] = n.ID
	}
	return ids
}

// agentAllocs maps node IDs to the running agent allocation on each.
func agentAllocs(t *testing.T, nomad *nomadapi.Client) map[string]string {
	t.Helper()
	allocs, _, err := nomad.Jobs().Allocations("netviz-agent", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, a := range allocs {
		if a.ClientStatus == nomadapi.AllocClientStatusRunning {
			if out[a.NodeID] != "" {
				t.Fatalf("two agent allocations on node %s", a.NodeID)
			}
			out[a.NodeID] = a.ID
		}
	}
	return out
}

// postReport sends one report as node, the way an agent does, and fails
// unless the server takes it.
func postReport(t *testing.T, url, node string, flows ...model.ObservedFlow) {
	t.Helper()
	body, err := json.Marshal(model.ObservationReport{Node: node, Flows: flows, Listeners: []model.ObservedListener{}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, url+agent.ReportPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("report as node %s: %s", node, resp.Status)
	}
}
