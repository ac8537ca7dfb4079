//go:build integration

package agent_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/agent"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/lint"
	"github.com/netviz/netviz/internal/devcluster"
	"github.com/netviz/netviz/web"
)

var cluster *devcluster.Cluster

// shared is this package's own dev cluster with the test job only.
var shared = &devcluster.Shared{
	Setup: func(ctx context.Context, c *devcluster.Cluster, _ func(func() error)) error {
		cluster = c
		return c.Deploy(ctx, nil, []string{"testdata/observed.nomad.hcl"})
	},
}

func TestMain(m *testing.M) { os.Exit(shared.Run(m)) }

const secret = "integration-agent-secret-0123456789"

// window is short so ageing out can be watched; waitEdge bounds a wait
// for the agent (a safety net against a hung test, not a timing claim:
// the latency is logged, and docs/perf.md records it).
const (
	window   = 10 * time.Second
	waitEdge = 30 * time.Second
)

// stack is a collector, a netviz server taking reports, and an agent
// reporting to it, all on the test cluster.
type stack struct {
	store *model.Store
	url   string
	// stopAgent stops the running agent and waits for it.
	stopAgent func()
}

// startAgent runs an agent reporting to the stack's server until stopAgent.
func (s *stack) startAgent(t *testing.T) {
	t.Helper()
	a, err := agent.New(agent.Config{Server: s.url, Secret: secret, Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	s.stopAgent = func() { cancel(); <-done }
}

func startStack(t *testing.T) *stack { return startServer(t, true) }

// startServer is a collector and a server taking reports on the package's
// cluster, plus an in-process agent when withAgent.
func startServer(t *testing.T, withAgent bool) *stack { return startServerOn(t, cluster, withAgent) }

// startServerOn is startServer on cluster c.
func startServerOn(t *testing.T, c *devcluster.Cluster, withAgent bool) *stack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	s := &stack{}
	t.Cleanup(func() {
		if s.stopAgent != nil {
			s.stopAgent()
		}
		cancel()
		for range 2 {
			<-done
		}
	})
	ncfg, ccfg := c.APIConfigs()
	col, err := collector.New(collector.Config{Nomad: ncfg, Consul: ccfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { col.Close() })
	go func() { col.Run(ctx); done <- struct{}{} }()
	store := col.Store()
	srv := web.New(store, web.Options{Observe: web.ObserveOptions{Apply: store.Apply, Secret: secret, Window: window}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { srv.Serve(ctx, ln); done <- struct{}{} }()
	url := "http://" + ln.Addr().String()
	for _, kv := range c.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	s.store, s.url = store, url
	if withAgent {
		s.startAgent(t)
	}
	return s
}

// alloc waits for the collector to hold the test job's group with its
// namespace address.
func (s *stack) alloc(t *testing.T, group string) *model.Allocation {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		for _, a := range s.store.Snapshot().AllocationsOfJob("default", "observed") {
			if a.TaskGroup == group && a.Live() && a.Network.IP != "" {
				return a
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no live %s allocation with a namespace address in the model", group)
	return nil
}

// getFrom does one HTTP GET from inside the allocation's namespace, on a
// fresh connection. Only the test cluster's addresses are ever dialled.
func getFrom(t *testing.T, allocID, url string) {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		orig, err := netns.Get()
		if err != nil {
			return nil, err
		}
		defer orig.Close()
		ns, err := netns.GetFromPath("/var/run/netns/" + allocID)
		if err != nil {
			return nil, err
		}
		defer ns.Close()
		if err := netns.Set(ns); err != nil {
			return nil, err
		}
		defer netns.Set(orig)
		d := net.Dialer{Timeout: 5 * time.Second}
		return d.DialContext(ctx, network, addr) // the socket is made here, inside ns
	}}
	defer tr.CloseIdleConnections()
	var lastErr error
	for range 20 { // the sidecars may still be fetching certificates
		resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		lastErr = err
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("GET %s from %s: %v", url, allocID, lastErr)
}

// waitFor polls the model until an observed edge matches, and returns how
// long that took.
func (s *stack) waitFor(t *testing.T, what string, match func(model.ObservedEdge) bool) time.Duration {
	t.Helper()
	return s.waitWithin(t, what, waitEdge, match)
}

// waitWithin is waitFor with its own bound.
func (s *stack) waitWithin(t *testing.T, what string, bound time.Duration, match func(model.ObservedEdge) bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < bound {
		for _, e := range s.store.Snapshot().ObservedEdges() {
			if match(e) {
				return time.Since(start)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	snap := s.store.Snapshot()
	for id, n := range snap.ObservedNodes() {
		for _, f := range n.Flows {
			t.Logf("node %s flow %+v", id, f)
		}
		t.Logf("node %s listeners %+v", id, n.Listeners)
	}
	t.Fatalf("no observed edge %s within %s; edges: %+v", what, bound, snap.ObservedEdges())
	return 0
}

// echoHostPort is echo's host port and the address it is reached at
// (nodeAddr, the node's address, when it binds every address).
func echoHostPort(t *testing.T, echo *model.Allocation, nodeAddr string) (model.Port, string) {
	t.Helper()
	hp, ok := echo.PortByLabel("http")
	if !ok || hp.Value == 0 {
		t.Fatalf("echo has no host port: %+v", echo.Ports)
	}
	if model.WildcardIP(hp.HostIP) {
		return hp, nodeAddr
	}
	return hp, hp.HostIP
}

func TestObservedConnections(t *testing.T) {
	s := startStack(t)
	echo, client := s.alloc(t, "echo"), s.alloc(t, "client")
	hp, hostIP := echoHostPort(t, echo, cluster.Bridge.Gateway)
	paths := []struct {
		name string
		url  string
		want func(model.ObservedEdge) bool
	}{
		{"mesh: app → local upstream listener → sidecars", "http://127.0.0.1:19090/", func(e model.ObservedEdge) bool {
			return e.Kind == model.ObservedMesh && e.From == client.ID && e.To == echo.ID && e.Service == "echo"
		}},
		{"host port", fmt.Sprintf("http://%s:%d/", hostIP, hp.Value), func(e model.ObservedEdge) bool {
			return e.Kind == model.ObservedHostPort && e.From == client.ID && e.To == echo.ID && e.Port == "http"
		}},
		{"namespace IP", fmt.Sprintf("http://%s:8080/", echo.Network.IP), func(e model.ObservedEdge) bool {
			return e.Kind == model.ObservedNamespaceIP && e.From == client.ID && e.To == echo.ID && e.Port == "http"
		}},
	}
	for _, p := range paths {
		getFrom(t, client.ID, p.url)
		took := s.waitFor(t, p.name, p.want)
		t.Logf("%s: observed edge %s after the request", p.name, took.Round(10*time.Millisecond))
	}

	// The bypass through the namespace address is caught, naming the client.
	var bypass *model.Warning
	for _, w := range lint.Warnings(s.store.Snapshot()) {
		if w.Code == model.CodeMeshBypassObserved && w.Subjects[0] == model.AllocKey(client.ID) {
			bypass = &w
		}
	}
	if bypass == nil || !strings.Contains(bypass.Message, model.ShortID(client.ID)) {
		t.Errorf("no mesh-bypass-observed naming the client: %+v", lint.Warnings(s.store.Snapshot()))
	}

	// Unauthenticated and hostile reports are refused.
	for _, tc := range []struct {
		auth, body string
		want       int
	}{
		{"", `{"node":"x","flows":[]}`, 401},
		{"Bearer wrong", `{"node":"x","flows":[]}`, 401},
		{"Bearer " + secret, `{"node":"x","flows":[{"side":"client","local_ip":"not-an-ip","remote_ip":"1.2.3.4","remote_port":80}]}`, 422},
	} {
		req, _ := http.NewRequest(http.MethodPost, s.url+agent.ReportPath, bytes.NewBufferString(tc.body))
		req.Header.Set("Content-Type", "application/json")
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("report with %q: %d, want %d", tc.auth, resp.StatusCode, tc.want)
		}
	}

	// A restarted agent's reports add to what the model holds: the mesh
	// edge's count goes up with the next request.
	before := 0
	for _, e := range s.store.Snapshot().ObservedEdges() {
		if paths[0].want(e) {
			before = e.Count
		}
	}
	s.stopAgent()
	s.startAgent(t)
	getFrom(t, client.ID, paths[0].url)
	s.waitFor(t, "mesh, counted on by the restarted agent", func(e model.ObservedEdge) bool { return paths[0].want(e) && e.Count > before })

	// With no more traffic, the edges age out: a closed connection lingers
	// in TIME_WAIT for a minute in sockets and two in conntrack (still
	// seen), then the window passes.
	deadline := time.Now().Add(120*time.Second + window + waitEdge)
	for {
		left := 0
		for _, e := range s.store.Snapshot().ObservedEdges() {
			if e.From == client.ID && e.To == echo.ID {
				left++
			}
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d observed edges client → echo never aged out", left)
		}
		time.Sleep(time.Second)
	}

	// A node whose agent stops reporting (node lost, agent gone) is
	// forgotten once the window passes.
	node := echo.NodeID
	if s.store.Snapshot().ObservedNode(node) == nil {
		t.Fatal("the reporting node is not in the model")
	}
	s.stopAgent()
	s.stopAgent = nil
	deadline = time.Now().Add(window + waitEdge)
	for s.store.Snapshot().ObservedNode(node) != nil {
		if time.Now().After(deadline) {
			t.Fatal("a silent agent's node never aged out")
		}
		time.Sleep(time.Second)
	}
}
