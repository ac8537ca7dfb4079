//go:build integration

package e2e_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// want is an expectation about the element with a data-testid.
type want struct {
	id string
	// text, when set, must occur in the element's visible text.
	text string
	// class, when set, must be one of the element's classes.
	class string
}

// check asserts each expectation on the page in the tab.
func check(t *testing.T, tab context.Context, wants []want) {
	t.Helper()
	for _, w := range wants {
		el := byTestID(t, tab, w.id)
		switch {
		case !el.Found:
			t.Errorf("no element %q", w.id)
		case w.text != "" && !strings.Contains(el.Text, w.text):
			t.Errorf("%s: text %q, want it to contain %q", w.id, el.Text, w.text)
		case w.class != "" && !slices.Contains(strings.Fields(el.Class), w.class):
			t.Errorf("%s: class %q, want %q", w.id, el.Class, w.class)
		}
	}
}

// nomadAlloc reads an allocation from Nomad's API, as `nomad alloc status` does.
func nomadAlloc(t *testing.T, id string) *nomadapi.Allocation {
	t.Helper()
	a, _, err := env.cluster.Nomad().Allocations().Info(id, nil)
	if err != nil {
		t.Fatalf("nomad allocation %s: %v", id, err)
	}
	return a
}

// nomadPort is one of Nomad's allocated ports of an allocation.
func nomadPort(t *testing.T, a *nomadapi.Allocation, label string) nomadapi.PortMapping {
	t.Helper()
	for _, p := range a.AllocatedResources.Shared.Ports {
		if p.Label == label {
			return p
		}
	}
	t.Fatalf("allocation %s has no port %q in Nomad", a.Name, label)
	return nomadapi.PortMapping{}
}

func TestTopologyPage(t *testing.T) {
	snap := env.store.Snapshot()
	tab := newTab(t)
	open(t, tab, "/topology")

	t.Run("a namespace for every running allocation", func(t *testing.T) {
		allocs, err := runningAllocs(context.Background(), env.cluster)
		if err != nil {
			t.Fatal(err)
		}
		var wants []want
		for _, a := range allocs {
			wants = append(wants, want{id: "ns-" + a.ID, text: a.JobID + "/" + a.TaskGroup})
			if a.NetworkStatus != nil && a.NetworkStatus.Address != "" {
				wants = append(wants, want{id: "ns-" + a.ID, text: a.NetworkStatus.Address})
			}
			for _, task := range a.Job.LookupTaskGroup(a.TaskGroup).Tasks {
				// Nomad's Connect sidecar tasks are drawn as their service's proxy.
				if svc, ok := strings.CutPrefix(task.Kind, "connect-proxy:"); ok {
					wants = append(wants, want{id: "proxy-" + a.ID + "-" + svc, text: svc + " proxy"})
					continue
				}
				wants = append(wants, want{id: "task-" + a.ID + "-" + task.Name, text: task.Name})
			}
		}
		check(t, tab, wants)
		if ids := testIDs(t, tab, "ns-"); len(ids) != len(allocs) {
			t.Errorf("%d namespaces drawn, Nomad runs %d allocations: %v", len(ids), len(allocs), ids)
		}
	})

	t.Run("ports crossing the host into 6379", func(t *testing.T) {
		var wants []want
		for _, group := range []string{"dynamic", "static"} {
			a := allocOf(t, snap, "redis-exposed", group)
			p := nomadPort(t, nomadAlloc(t, a.ID), "redis")
			w := want{id: "port-" + a.ID + "-redis", text: fmt.Sprintf("%s:%d → 6379", p.HostIP, p.Value)}
			if group == "static" {
				w.class = "static"
			}
			// The tick's number is hidden where labels would overlap; its tooltip has it.
			wants = append(wants, w, want{id: "tick-" + a.ID + "-redis"})
		}
		same := allocOf(t, snap, "same-group", "cache-and-app")
		p := nomadPort(t, nomadAlloc(t, same.ID), "redis")
		wants = append(wants, want{id: "port-" + same.ID + "-redis", text: fmt.Sprintf("%s:%d → 6379", p.HostIP, p.Value)})
		check(t, tab, wants)
		// The app task reaches redis inside the shared namespace through NOMAD_ADDR_redis.
		edges := testIDs(t, tab, "edge-same-namespace-"+same.ID+"-app-")
		if len(edges) != 1 {
			t.Fatalf("same-namespace edges from the app task: %v, want one", edges)
		}
		check(t, tab, []want{{id: edges[0], text: "NOMAD_ADDR_redis", class: "arrow-same"}})
	})

	t.Run("Connect sidecars and the allowed upstream app to redis", func(t *testing.T) {
		app := allocOf(t, snap, "mesh", "app")
		redis := allocOf(t, snap, "mesh", "redis")
		check(t, tab, []want{
			{id: "proxy-" + app.ID + "-app", text: "app proxy"},
			{id: "proxy-" + redis.ID + "-redis", text: "redis proxy"},
			{id: "edge-listener-" + app.ID + "-app-" + app.ID + "-proxy-app", text: "localhost:6379 → redis"},
			{id: "edge-upstream-" + app.ID + "-proxy-app-" + redis.ID + "-proxy-redis", text: "mTLS · allow", class: "intent-allow"},
			{id: "edge-sidecar-" + redis.ID + "-proxy-redis-" + redis.ID + "-redis", text: "6379"},
		})
	})
}

func TestAllocationPage(t *testing.T) {
	app := allocOf(t, env.store.Snapshot(), "mesh", "app")
	nomad := nomadAlloc(t, app.ID)
	tab := newTab(t)
	open(t, tab, "/allocations/"+app.ID)

	check(t, tab, []want{
		{id: "heading", text: nomad.Name},
		{id: "alloc-id", text: app.ID},
		{id: "alloc-mode", text: "bridge"},
		{id: "alloc-ip", text: nomad.NetworkStatus.Address},
		{id: "proxy-" + app.ID + "-app"},
		{id: "edge-listener-" + app.ID + "-app-" + app.ID + "-proxy-app", text: "localhost:6379 → redis"},
	})

	t.Run("port map matches nomad alloc status", func(t *testing.T) {
		type row struct {
			Label string   `json:"label"`
			Cells []string `json:"cells"`
		}
		rows := eval[[]row](t, tab, fmt.Sprintf(`Array.from(document.querySelectorAll('[data-testid="port-row"]'),
			(tr) => ({label: tr.dataset.label, cells: Array.from(tr.cells, %s)}))`, jsText))
		got := map[string]string{}
		for _, r := range rows {
			if len(r.Cells) < 5 {
				t.Fatalf("port row %q has %d cells: %v", r.Label, len(r.Cells), r.Cells)
			}
			got[r.Label] = fmt.Sprintf("%s %s %s", r.Cells[2], r.Cells[3], r.Cells[4])
		}
		// What the CLI prints under "Allocation Addresses".
		status, err := env.cluster.CLI(context.Background(), "nomad", "alloc", "status", app.ID)
		if err != nil {
			t.Fatal(err)
		}
		ports := nomad.AllocatedResources.Shared.Ports
		if len(rows) != len(ports) {
			t.Errorf("page shows %d ports, Nomad %d: %v", len(rows), len(ports), got)
		}
		for _, p := range ports {
			if w := fmt.Sprintf("%s %d %d", p.HostIP, p.Value, p.To); got[p.Label] != w {
				t.Errorf("port %s: page shows %q (host IP, host port, to), Nomad %q", p.Label, got[p.Label], w)
			}
			if cli := fmt.Sprintf("%s:%d -> %d", p.HostIP, p.Value, p.To); !strings.Contains(status, cli) {
				t.Errorf("nomad alloc status lacks %q for port %s:\n%s", cli, p.Label, status)
			}
		}
	})
}

func TestNodePage(t *testing.T) {
	snap := env.store.Snapshot()
	nodes := snap.Nodes()
	if len(nodes) != 1 {
		t.Fatalf("model has %d nodes, the cluster 1", len(nodes))
	}
	node := nodes[0]
	tab := newTab(t)
	open(t, tab, "/nodes/"+node.ID)
	check(t, tab, []want{
		{id: "heading", text: node.Name},
		{id: "node-id", text: node.ID},
		{id: "dynamic-range", text: fmt.Sprintf("%d–%d", node.MinDynamicPort, node.MaxDynamicPort)},
	})

	// Every host port an allocation holds on the node has its row; static
	// ones are marked.
	var wantPorts, wantStatic []string
	for _, a := range snap.AllocationsOnNode(node.ID) {
		for _, p := range a.Ports {
			if p.Value == 0 {
				continue
			}
			wantPorts = append(wantPorts, strconv.Itoa(p.Value))
			if p.Static {
				wantStatic = append(wantStatic, strconv.Itoa(p.Value))
			}
		}
	}
	if !slices.Contains(wantStatic, "26379") {
		t.Errorf("the model lacks redis-exposed's static port 26379: %v", wantStatic)
	}
	gotPorts := eval[[]string](t, tab, `Array.from(document.querySelectorAll('[data-testid="node-port"]'), (tr) => tr.dataset.port)`)
	slices.Sort(wantPorts)
	slices.Sort(gotPorts)
	if !slices.Equal(gotPorts, wantPorts) {
		t.Errorf("node ports %v, want %v", gotPorts, wantPorts)
	}
	static := eval[[]string](t, tab, `Array.from(document.querySelectorAll('[data-testid="node-port"].static'), (tr) => tr.dataset.port)`)
	slices.Sort(wantStatic)
	slices.Sort(static)
	if !slices.Equal(static, wantStatic) {
		t.Errorf("rows marked static %v, want %v", static, wantStatic)
	}
}

func TestOverviewPage(t *testing.T) {
	snap := env.store.Snapshot()
	tab := newTab(t)
	open(t, tab, "/")
	check(t, tab, []want{
		{id: "count-nodes", text: "1"},
		{id: "count-allocations", text: strconv.Itoa(len(snap.Allocations()))},
		{id: "source-nomad", text: "nomad"},
		{id: "source-consul", text: "consul"},
	})
	// Every job with an allocation in the model is listed.
	jobs := texts(t, tab, `[data-testid="job-link"]`)
	for _, a := range snap.Allocations() {
		if !slices.Contains(jobs, a.JobID) {
			t.Errorf("job list %v lacks %s", jobs, a.JobID)
		}
	}
	for _, j := range []string{"redis-exposed", "same-group", "discovery-consul", "discovery-nomad", "mesh", "web"} {
		if !slices.Contains(jobs, j) {
			t.Errorf("job list %v lacks the example %s", jobs, j)
		}
	}
}

func TestServicesPages(t *testing.T) {
	snap := env.store.Snapshot()
	tab := newTab(t)

	t.Run("list", func(t *testing.T) {
		open(t, tab, "/services")
		names := eval[[]string](t, tab, `Array.from(document.querySelectorAll('[data-testid="service-row"]'), (tr) => tr.dataset.name)`)
		for _, n := range snap.ServiceNames() {
			if !slices.Contains(names, n) {
				t.Errorf("service list %v lacks %s", names, n)
			}
		}
		// A row is marked Connect when an instance is a Connect proxy: the
		// sidecars of scenario 4.
		var wantConnect []string
		for _, n := range snap.ServiceNames() {
			if slices.ContainsFunc(snap.ServicesNamed(n), func(s *model.Service) bool { return s.Connect != nil }) {
				wantConnect = append(wantConnect, n)
			}
		}
		for _, n := range []string{"app-sidecar-proxy", "redis-sidecar-proxy"} {
			if !slices.Contains(wantConnect, n) {
				t.Errorf("the model has no Connect instance of %s: %v", n, wantConnect)
			}
		}
		connect := eval[[]string](t, tab, `Array.from(document.querySelectorAll('[data-testid="service-row"]'))
			.filter((tr) => tr.querySelector(".tag.proxy")).map((tr) => tr.dataset.name)`)
		if !slices.Equal(connect, wantConnect) {
			t.Errorf("rows marked Connect %v, want %v", connect, wantConnect)
		}
	})

	t.Run("redis", func(t *testing.T) {
		open(t, tab, "/services/redis")
		check(t, tab, []want{{id: "heading", text: "Service redis"}})
		// redis's instances and the sidecar proxies in front of them.
		var addrs []string
		for _, s := range snap.ServicesNamed("redis") {
			addrs = append(addrs, net.JoinHostPort(s.Address, strconv.Itoa(s.Port)))
		}
		for _, s := range snap.ServicesNamed("redis-sidecar-proxy") {
			if s.Connect != nil && s.Connect.DestinationService == "redis" {
				addrs = append(addrs, net.JoinHostPort(s.Address, strconv.Itoa(s.Port)))
			}
		}
		got := texts(t, tab, `[data-testid="instance-address"]`)
		slices.Sort(addrs)
		slices.Sort(got)
		if !slices.Equal(got, addrs) {
			t.Errorf("instance addresses %v, want %v", got, addrs)
		}
		type flow struct {
			Text      string `json:"text"`
			Intention string `json:"intention"`
		}
		down := eval[[]flow](t, tab, fmt.Sprintf(`Array.from(document.querySelectorAll('[data-testid="downstreams"] [data-testid="flow-edge"]'),
			(el) => ({text: (%s)(el), intention: el.dataset.intention}))`, jsText))
		if !slices.ContainsFunc(down, func(f flow) bool { return strings.Contains(f.Text, "app") && f.Intention == model.ActionAllow }) {
			t.Errorf("downstreams %+v, want app with intention allow", down)
		}
	})
}

func TestReachPage(t *testing.T) {
	tab := newTab(t)
	open(t, tab, "/reach?from=app&to=redis")
	check(t, tab, []want{{id: "reach-verdict", text: "app can reach redis"}})
	if v := eval[string](t, tab, `document.querySelector('[data-testid="reach-verdict"]').dataset.verdict`); v != string(reach.VerdictReachable) {
		t.Errorf("verdict %q, want reachable", v)
	}
	// The mesh path passes the allowing intention between the two sidecars.
	hops := eval[[]string](t, tab, fmt.Sprintf(`Array.from(
		document.querySelectorAll('[data-testid="reach-path"][data-kind=%s] [data-testid="hop"]'), (li) => li.dataset.kind)`,
		js(reach.PathMesh)))
	if want := []string{reach.HopSidecar, reach.HopIntention, reach.HopSidecar}; !containsRun(hops, want) {
		t.Errorf("mesh path hops %v, want %v among them", hops, want)
	}
}

// containsRun reports whether want occurs in s as consecutive elements.
func containsRun(s, want []string) bool {
	for i := 0; i+len(want) <= len(s); i++ {
		if slices.Equal(s[i:i+len(want)], want) {
			return true
		}
	}
	return false
}
