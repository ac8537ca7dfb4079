package diagram_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// TestScaleElements checks what the scale view says about each job/group
// of scaleMix: counts, modes, port summaries, sidecars, the arrows between
// groups with their intentions, and the node band.
func TestScaleElements(t *testing.T) {
	d := parse(t, render(t, drawer.Topology(scaleMix(), viewmodel.Filter{})))
	type want struct{ id, text, class string }
	for _, w := range []want{
		{"diagram-notice", "255 allocations in 6 job/groups, more than 200: one box per job/group, 5 with their connections.", ""},
		{"group-default/shop/web", "shop/web ×150 namespace default · bridge · 5 nodes http dynamic ×150 → 8080 app shop proxy", "group"},
		// Host mode: the dynamic port is counted, never shown as one
		// allocation's number.
		{"group-default/cache/redis", "cache/redis ×30 namespace default · host network · 5 nodes db dynamic ×30 redis", "group-host"},
		{"group-default/edge/traefik", "edge/traefik ×5 namespace default · host network · 5 nodes http 80 static https 443 static traefik", "group-host"},
		{"group-batch/etl/run", "etl/run ×20 host", "compact"},
		{"edge-upstream-default/shop/web-default/data/db-allow", "mTLS · allow ×150", "intent-allow"},
		{"edge-upstream-default/shop/web-default/vault/secret-deny", "mTLS · deny ×150", "intent-deny"},
		{"edge-discovery-default/shop/web-default/cache/redis", `nomadService "redis" ×150`, "arrow-discovery"},
		{"edge-ingress-default/edge/traefik-default/shop/web", "Host(`shop.example.org`)", "arrow-ingress"},
		{"band-dc1/default", "dc1 · node pool default 5 nodes · 255 allocations", ""},
		{"node-node0", "client-0 51", "node-chip"},
		{"tick-dc1/default-443", "", "static"},
	} {
		n := d.byID[w.id]
		if n == nil {
			t.Errorf("no element %q", w.id)
			continue
		}
		if got := text(n); w.text != "" && !strings.Contains(got, w.text) {
			t.Errorf("%s: text %q, want it to contain %q", w.id, got, w.text)
		}
		if w.class != "" && !hasClass(n, w.class) {
			t.Errorf("%s: class %q, want %q", w.id, attr(n, "class"), w.class)
		}
	}
	for prefix, n := range map[string]int{"group-": 6, "edge-": 4, "node-": 5, "band-": 1, "ns-": 0, "host-": 0} {
		if got := d.count(prefix); got != n {
			t.Errorf("%d elements %s*, want %d", got, prefix, n)
		}
	}
	// No host port number of a dynamic port appears anywhere: 32301… are
	// cache/redis's, 21000… shop/web's.
	if m := regexp.MustCompile(`\b(323\d\d|21[01]\d\d)\b`).FindString(text(d.root)); m != "" {
		t.Errorf("the picture shows the dynamic host port %s as a group's", m)
	}
}

// TestScaleLinks follows the scale view's links: a group box opens the
// topology narrowed to its job (and namespace), a node chip the topology
// narrowed to that node, keeping the filter the picture was drawn with.
func TestScaleLinks(t *testing.T) {
	f := viewmodel.Filter{Text: "e"}
	d := parse(t, render(t, drawer.Topology(scaleMix(), f)))
	for id, want := range map[string]viewmodel.Filter{
		"group-default/shop/web": {Namespace: "default", Job: "shop", Text: "e"},
		"group-batch/etl/run":    {Namespace: "batch", Job: "etl", Text: "e"},
		"node-node2":             {Node: "node2", Text: "e"},
	} {
		n := d.byID[id]
		if n == nil {
			t.Errorf("no element %q", id)
			continue
		}
		href := attr(n, "href")
		if href == "" {
			href = attr(n.Parent, "href")
		}
		u, err := url.Parse(href)
		if err != nil || u.Path != "/topology" || viewmodel.FilterFromQuery(u.Query()) != want {
			t.Errorf("%s links to %q, want the topology with %+v", id, href, want)
		}
	}
}

// TestScaleFan draws a cluster whose ingress routes to every service
// (fixture.Generate): the router's arrows would cross the whole picture,
// so each routed group carries an entry mark instead and the router says
// how many it routes to.
func TestScaleFan(t *testing.T) {
	gen := fixture.Generate(fixture.SyntheticConfig{Nodes: 10, Allocations: 1_000, Seed: 1})
	snap := fixture.Snapshot(gen.Changes()...)
	l, err := drawer.TopologyLayout(context.Background(), snap, viewmodel.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	entries := 0
	for _, g := range l.Groups {
		if g.Title == "ingress/traefik" && !strings.Contains(g.More+g.Tooltip, "routes to 99 groups") {
			t.Errorf("the router's box says %q / %q, want it to name the 99 groups it routes to", g.More, g.Tooltip)
		}
		for _, e := range g.Entries {
			if strings.HasPrefix(e.Text, "▸ ingress Host(`") {
				entries++
			}
		}
	}
	for _, a := range l.Arrows {
		if a.Kind == string(model.EdgeIngress) {
			t.Errorf("ingress arrow %s drawn; the fan should be entry marks", a.TestID)
		}
	}
	if entries == 0 {
		t.Error("no group shows the ingress entry mark")
	}
}

// TestScaleSize draws fixture.Generate at 1,000, 10,000 and (unless -short)
// 50,000 allocations: the picture holds at most 50 job/group boxes and 48
// node chips, stays about a browser window wide and two tall, and its boxes
// do not overlap.
func TestScaleSize(t *testing.T) {
	sizes := []int{1_000, 10_000}
	if !testing.Short() {
		sizes = append(sizes, 50_000)
	}
	for _, n := range sizes {
		gen := fixture.Generate(fixture.SyntheticConfig{Nodes: n / 100, Allocations: n, Seed: 1})
		snap := fixture.Snapshot(gen.Changes()...)
		l, err := diagram.NewDrawer(0, diagram.WithDeadline(0)).TopologyLayout(context.Background(), snap, viewmodel.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if !l.Aggregated || len(l.Groups) > 50 || len(l.Groups) < 40 {
			t.Errorf("%d allocations: %d group boxes (aggregated %v), want 40 to 50", n, len(l.Groups), l.Aggregated)
		}
		chips := 0
		for _, b := range l.Bands {
			chips += len(b.Chips)
		}
		if chips > 48 {
			t.Errorf("%d allocations: %d node chips", n, chips)
		}
		if l.Width > 1800 || l.Height > 2400 {
			t.Errorf("%d allocations: picture %v × %v, want it within 1800 × 2400", n, l.Width, l.Height)
		}
		if len(l.More) != 1 || !strings.Contains(l.More[0].Lines[0].Text, "more job/groups") {
			t.Errorf("%d allocations: no summary of the groups left out: %+v", n, l.More)
		}
		page := diagram.Rect{X: 0, Y: l.Top, W: l.Width, H: l.Height - l.Top}
		for i, g := range l.Groups {
			if !page.Contains(g.Rect) {
				t.Errorf("%d allocations: %s %v outside the picture", n, g.TestID, g.Rect)
			}
			for _, o := range l.Groups[i+1:] {
				if g.Rect.Overlaps(o.Rect) {
					t.Errorf("%d allocations: %s and %s overlap", n, g.TestID, o.TestID)
				}
			}
		}
	}
}
