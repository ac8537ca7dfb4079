package views_test

import (
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/viewmodel"
)

func TestAllocationPortMap(t *testing.T) {
	snap := cluster(t)
	type row struct{ mapping, kind, tasks, services string }
	cases := []struct {
		alloc string
		want  map[string]row // port label → row
	}{
		{fixture.AllocRedis, map[string]row{
			"db": {"10.0.0.11:20001 → 6379", "dynamic", "redis", "redis"},
		}},
		{fixture.AllocWeb, map[string]row{
			"http":              {"10.0.0.11:20002 → 8080", "dynamic", "app", "web"},
			"connect-proxy-web": {"10.0.0.11:20003 → 20003", "dynamic", "connect-proxy-web", "web (sidecar)"},
		}},
		{fixture.AllocIngress, map[string]row{
			"https": {"10.0.0.11:443 → 443", "static", "traefik", ""},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.alloc[:8], func(t *testing.T) {
			a := snap.Allocation(tc.alloc)
			d := doc(t, renderPage(t, views.AllocationPage(chrome(snap, "/"), snap, viewmodel.NewAllocationView(snap, a))))
			rows := d.Find(testid("port-row"))
			if rows.Length() != len(tc.want) {
				t.Fatalf("%d port rows, want %d", rows.Length(), len(tc.want))
			}
			rows.Each(func(_ int, s *goquery.Selection) {
				label := s.AttrOr("data-label", "")
				want, ok := tc.want[label]
				if !ok {
					t.Errorf("unexpected port %q", label)
					return
				}
				cells := s.Find("td")
				got := row{text(cells.Eq(1)), text(cells.Eq(5)), text(cells.Eq(7)), text(cells.Eq(8))}
				if got != want {
					t.Errorf("port %s = %+v, want %+v", label, got, want)
				}
			})
		})
	}
}

func TestAllocationSections(t *testing.T) {
	snap := cluster(t)
	a := snap.Allocation(fixture.AllocWeb)
	d := doc(t, renderPage(t, views.AllocationPage(chrome(snap, "/"), snap, viewmodel.NewAllocationView(snap, a))))

	if got := text(d.Find(testid("alloc-mode"))); got != "bridge" {
		t.Errorf("mode = %q", got)
	}
	if got := text(d.Find(testid("alloc-ip"))); got != "172.26.64.5" {
		t.Errorf("namespace IP = %q", got)
	}
	if d.Find("#alloc-diagram svg"+testid("diagram")).Length() != 1 {
		t.Error("namespace diagram missing")
	}
	up := d.Find(testid("upstream"))
	if got := text(up.Find(testid("intention"))); got != "deny" {
		t.Errorf("upstream web → api intention = %q, want deny", got)
	}
	if got := text(up.Find("td").Eq(1)); got != "127.0.0.1:9090" {
		t.Errorf("upstream listener = %q", got)
	}
	if got := d.Find(testid("ref")).Length(); got != 2 {
		t.Errorf("%d task refs, want 2", got)
	}
	kinds := map[string]int{}
	d.Find(testid("edge")).Each(func(_ int, s *goquery.Selection) { kinds[s.AttrOr("data-kind", "")]++ })
	if kinds["upstream"] != 1 || kinds["discovery"] != 1 {
		t.Errorf("edge kinds = %v, want one upstream and one discovery", kinds)
	}
}

func TestAllocationWarnings(t *testing.T) {
	snap := cluster(t)
	a := snap.Allocation(fixture.AllocIngress)
	v := viewmodel.NewAllocationView(snap, a)
	d := doc(t, renderPage(t, views.AllocationPage(chrome(snap, "/"), snap, v)))
	if got := d.Find(`#alloc-warnings `+testid("warning")).AttrOr("data-code", ""); got != "port-conflict" {
		t.Errorf("warning = %q, want port-conflict", got)
	}
	if d.Find(testid("port-static")).Length() != 1 {
		t.Error("static port not marked")
	}
}
