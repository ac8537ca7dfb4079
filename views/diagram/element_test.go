package diagram_test

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/viewmodel"
)

// doc is a rendered diagram indexed by data-testid.
type doc struct {
	root *html.Node
	byID map[string]*html.Node
}

func parse(t *testing.T, svg []byte) doc {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(svg))
	if err != nil {
		t.Fatalf("parse svg: %v", err)
	}
	d := doc{root: root, byID: map[string]*html.Node{}}
	for n := range root.Descendants() {
		if id := attr(n, "data-testid"); id != "" {
			if _, dup := d.byID[id]; dup {
				t.Errorf("data-testid %q used twice", id)
			}
			d.byID[id] = n
		}
	}
	return d
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// text is the element's text without its <title> tooltips.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "title" {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func hasClass(n *html.Node, class string) bool {
	return n != nil && strings.Contains(" "+attr(n, "class")+" ", " "+class+" ")
}

// count counts test IDs with a prefix.
func (d doc) count(prefix string) int {
	c := 0
	for id := range d.byID {
		if strings.HasPrefix(id, prefix) {
			c++
		}
	}
	return c
}

// want is an expectation about one element.
type want struct {
	id string
	// text, when set, must occur in the element's text.
	text string
	// class, when set, must be one of the element's classes.
	class string
}

func TestScenarioElements(t *testing.T) {
	topo := func(s *model.Snapshot) []byte { return render(t, drawer.Topology(s, viewmodel.Filter{})) }
	tests := []struct {
		name   string
		svg    []byte
		wants  []want
		counts map[string]int
	}{
		{
			name: "host mode redis, dynamic port",
			svg:  topo(hostRedis(false)),
			wants: []want{
				{id: "host-node1", text: "client-1"},
				{id: "ns-redis1", text: "cache/redis", class: "ns-host"},
				{id: "ns-redis1", text: "host network 127.0.0.1"},
				{id: "port-redis1-db", text: "127.0.0.1:23522 → 6379"},
				{id: "tick-redis1-db", text: "23522"},
				{id: "task-redis1-redis", text: "redis docker"},
			},
			counts: map[string]int{"ns-": 1, "edge-port-": 1},
		},
		{
			name: "host mode redis, static port",
			svg:  topo(hostRedis(true)),
			wants: []want{
				{id: "port-redis1-db", text: "127.0.0.1:6379 → 6379 static", class: "static"},
				{id: "tick-redis1-db", class: "static"},
			},
		},
		{
			name: "two tasks in one bridge group",
			svg:  topo(sameGroup()),
			wants: []want{
				{id: "ns-grp1", text: "web/app bridge 172.26.64.5"},
				{id: "task-grp1-app"},
				{id: "task-grp1-redis"},
				{id: "port-grp1-redis", text: "127.0.0.1:22300 → 6379"},
				{id: "edge-same-namespace-grp1-app-grp1-redis", text: "NOMAD_ADDR_redis", class: "arrow-same"},
				{id: "edge-port-grp1-port-redis-grp1-redis"},
			},
		},
		{
			name: "nomadService discovery between groups",
			svg:  topo(twoGroups(true)),
			wants: []want{
				{id: "ns-app1"}, {id: "ns-redis1"},
				{id: "edge-discovery-app1-app-redis1-port-db", text: `nomadService "redis"`, class: "arrow-discovery"},
				{id: "registry-nomad", text: "Nomad service registry"},
				{id: "registry-nomad-redis", text: "redis 127.0.0.1:22300"},
				{id: "edge-lookup-app1-app-registry-nomad-redis", class: "arrow-lookup"},
			},
		},
		{
			name: "discovery of a service with no instance",
			svg:  topo(twoGroups(false)),
			wants: []want{
				{id: "edge-lookup-app1-app-registry-nomad-redis", text: `nomadService "redis"`, class: "broken"},
				{id: "registry-nomad-redis", text: "no instances", class: "broken"},
			},
			counts: map[string]int{"edge-discovery-": 0},
		},
		{
			name: "Connect upstream allowed",
			svg:  topo(connect(model.ActionAllow)),
			wants: []want{
				{id: "host-node1"}, {id: "host-node2"},
				{id: "proxy-app1-app", text: ":30000"},
				{id: "proxy-redis1-redis", text: ":32000"},
				{id: "port-redis1-connect-proxy-redis", class: "on-proxy"},
				{id: "edge-listener-app1-app-app1-proxy-app", text: "localhost:6379 → redis"},
				{id: "edge-upstream-app1-proxy-app-redis1-proxy-redis", text: "mTLS · allow", class: "intent-allow"},
				{id: "edge-sidecar-redis1-proxy-redis-redis1-redis", text: "6379"},
			},
		},
		{
			name: "Connect upstream denied",
			svg:  topo(connect(model.ActionDeny)),
			wants: []want{
				{id: "edge-upstream-app1-proxy-app-redis1-proxy-redis", text: "mTLS · deny", class: "intent-deny"},
			},
		},
		{
			name: "Connect upstream, intention unknown",
			svg:  topo(connect("")),
			wants: []want{
				{id: "edge-upstream-app1-proxy-app-redis1-proxy-redis", text: "mTLS · unknown", class: "intent-unknown"},
			},
		},
		{
			name: "one allocation's namespace",
			svg:  render(t, drawer.Namespace(connect(model.ActionAllow), "app1")),
			wants: []want{
				{id: "ns-app1"}, {id: "proxy-app1-app"},
				{id: "edge-listener-app1-app-app1-proxy-app", text: "localhost:6379 → redis"},
				{id: "service-redis", text: "1 instance not shown"},
				{id: "edge-upstream-app1-proxy-app-service-redis", class: "intent-allow"},
			},
			counts: map[string]int{"ns-": 1, "host-": 1},
		},
		{
			name: "system ingress on two nodes",
			svg:  topo(ingress()),
			wants: []want{
				{id: "port-ingress1-https", text: "10.0.0.1:443 → 443 static", class: "static"},
				{id: "port-ingress2-http", text: "10.0.0.2:80 → 80 static"},
				{id: "tick-ingress2-https", class: "static"},
				{id: "edge-ingress-ingress1-traefik-shop1-port-http", text: "Host(`shop.example.org`)", class: "arrow-ingress"},
				{id: "edge-ingress-ingress2-traefik-blog1-port-http", text: "Host(`blog.example.org`)"},
				{id: "outside", text: "outside"},
				{id: "edge-entry-outside-ingress2-port-https", class: "arrow-entry"},
			},
			counts: map[string]int{"host-": 2, "ns-": 4, "edge-ingress-": 4, "edge-entry-": 4},
		},
		{
			name: "250 allocations: one box per job/group",
			svg:  topo(synthetic(10, 25, 10)),
			wants: []want{
				{id: "diagram-notice", text: "250 allocations in 25 job/groups, more than 200: one box per job/group, 25 with their connections."},
				{id: "group-default/job07/g", text: "job07/g ×10 bridge · 10 nodes http dynamic ×10 → 8080 main", class: "group"},
				{id: "edge-discovery-default/job07/g-default/job02/g", text: `nomadService "job02" ×10`, class: "arrow-discovery"},
				{id: "band-dc1/default", text: "dc1 · node pool default 10 nodes · 250 allocations"},
				{id: "node-node03", text: "client-03 25"},
			},
			counts: map[string]int{"group-": 25, "ns-": 0, "host-": 0, "node-": 10, "edge-discovery-": 20},
		},
		{
			name:  "allocation on a node the snapshot lacks",
			svg:   topo(fixture.Snapshot(alloc("lost1", "web", "app", "ghost", model.ModeBridge, "").NodeName("client-9").Upsert())),
			wants: []want{{id: "host-ghost", text: "client-9"}, {id: "ns-lost1", text: "web/app bridge"}},
		},
		{
			name: "201 allocations: one job/group",
			svg:  topo(synthetic(3, 1, 201)),
			wants: []want{
				{id: "diagram-notice", text: "201 allocations in 1 job/group, more than 200: one box per job/group."},
				{id: "group-default/job00/g", text: "job00/g ×201 bridge · http", class: "compact"},
			},
			counts: map[string]int{"group-": 1, "ns-": 0, "edge-": 0},
		},
		{
			name:   "200 allocations stay one box each",
			svg:    topo(synthetic(10, 20, 10)),
			counts: map[string]int{"ns-": 200, "host-": 10, "diagram-notice": 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := parse(t, tc.svg)
			for _, w := range tc.wants {
				n := d.byID[w.id]
				if n == nil {
					t.Errorf("no element %q", w.id)
					continue
				}
				if w.text != "" && !strings.Contains(text(n), w.text) {
					t.Errorf("%s: text %q, want it to contain %q", w.id, text(n), w.text)
				}
				if w.class != "" && !hasClass(n, w.class) {
					t.Errorf("%s: class %q, want %q", w.id, attr(n, "class"), w.class)
				}
			}
			for prefix, n := range tc.counts {
				if got := d.count(prefix); got != n {
					t.Errorf("%d elements %s*, want %d", got, prefix, n)
				}
			}
			if d.byID["legend"] == nil {
				t.Error("no legend")
			}
			if svg := d.byID["diagram"]; svg == nil || !hasClass(svg.Parent, "netviz-diagram-scroll") {
				t.Error("the diagram is not inside its scrolling box")
			} else if attr(svg, "role") != "img" || attr(svg, "viewBox") == "" {
				t.Errorf("svg role %q viewBox %q", attr(svg, "role"), attr(svg, "viewBox"))
			}
		})
	}
}
