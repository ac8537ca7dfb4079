package views_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/internal/golden"
	"github.com/netviz/netviz/views"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// allocAdded is the allocation the fake later model adds (web scaled to 2).
const allocAdded = "d1ff0000-0000-4000-8000-000000000001"

// diffPair is a fake pair of models, as history would rebuild them at two
// times: between them one ingress allocation stopped, web scaled from 1
// to 2, redis's host port moved, and node C joined.
func diffPair(t *testing.T) (before, after *model.Snapshot) {
	t.Helper()
	before = cluster(t)
	web := *before.Allocation(fixture.AllocWeb)
	web.ID, web.Name = allocAdded, "web.app[1]"
	redis := *before.Allocation(fixture.AllocRedis)
	redis.Ports = []model.Port{{Label: "db", HostIP: "10.0.0.11", Value: 20005, To: 6379}}
	after = before.DryRun(
		model.DeleteAllocation{ID: fixture.AllocIngress2},
		model.UpsertAllocation{Alloc: &web},
		model.UpsertAllocation{Alloc: &redis},
		model.UpsertNode{Node: &model.Node{ID: "node-c", Name: "client-c", Datacenter: "dc1", Address: "10.0.0.13", Status: "ready"}},
	)
	return before, after
}

// drawDiff draws the pair as /diff does and parses the SVG.
func drawDiff(t *testing.T, before, after *model.Snapshot) (diagram.Marks, *goquery.Document) {
	t.Helper()
	merged, m := views.DiffPicture(before, after, fixture.Epoch)
	comp, err := diagram.Check(context.Background(), merged, viewmodel.Filter{}, m)
	if err != nil {
		t.Fatal(err)
	}
	return m, doc(t, renderString(t, comp))
}

// TestDiffPicture: the stopped allocation is drawn from the earlier model,
// marked removed and linking to its page as of then; the scaled one is
// marked added; redis, whose port moved, changed, with its port; the new
// node added; everything else unmarked. The marked elements are pinned in
// a golden file (their classes, test IDs and links, not the layout).
func TestDiffPicture(t *testing.T) {
	before, after := diffPair(t)
	m, d := drawDiff(t, before, after)
	if !m.Removed[fixture.AllocIngress2] || len(m.Removed) != 1 || !m.New[allocAdded] || len(m.New) != 1 ||
		!m.Changed[fixture.AllocRedis] || len(m.Changed) != 1 || !m.Ports[fixture.AllocRedis+"/db"] || m.Nodes["node-c"] != "added" {
		t.Fatalf("marks %+v", m)
	}
	removed := d.Find("a.ns.removed")
	if removed.Length() != 1 || removed.AttrOr("href", "") != viewmodel.AtHref(viewmodel.AllocationHref(fixture.AllocIngress2), fixture.Epoch) {
		t.Errorf("removed boxes %d, href %q", removed.Length(), removed.AttrOr("href", ""))
	}
	if got := d.Find("a.ns.added").AttrOr("href", ""); got != viewmodel.AllocationHref(allocAdded) {
		t.Errorf("added box links to %q", got)
	}
	if d.Find("a.ns.changed").Length() != 1 || d.Find("a.pin.changed").Length() != 1 {
		t.Error("redis or its port not marked changed")
	}
	if d.Find("g.host.added").Length() != 1 {
		t.Error("the new node is not marked added")
	}
	if n := d.Find("a.ns").Length(); n != len(after.Allocations())+1 {
		t.Errorf("%d namespace boxes, want the later model's %d and the removed one", n, len(after.Allocations()))
	}
	var lines []string
	d.Find(".added, .changed, .removed").Each(func(_ int, s *goquery.Selection) {
		lines = append(lines, s.AttrOr("class", "")+" "+s.AttrOr("data-testid", "")+" "+s.AttrOr("href", ""))
	})
	slices.Sort(lines)
	golden.Assert(t, filepath.Join("testdata", "diff_marks.golden.txt"), []byte(strings.Join(lines, "\n")+"\n"))

	// The same model at both times marks nothing and puts nothing back.
	merged, same := views.DiffPicture(after, after, fixture.Epoch)
	if merged != after || len(same.New)+len(same.Changed)+len(same.Removed)+len(same.Nodes) != 0 {
		t.Errorf("no change marked %+v", same)
	}
}

// TestDiffPage: the page carries the picture under its legend, with the
// counts; without a picture it says why; after an error it has neither.
func TestDiffPage(t *testing.T) {
	before, after := diffPair(t)
	merged, m := views.DiffPicture(before, after, fixture.Epoch)
	pic, err := diagram.Check(context.Background(), merged, viewmodel.Filter{}, m)
	if err != nil {
		t.Fatal(err)
	}
	d := viewmodel.NewDiff("-1h", "", fixture.Epoch, fixture.Epoch, nil, nil)
	page := doc(t, renderPage(t, views.DiffPage(chrome(after, ""), d, views.DiffDiagram{Picture: pic, Marks: m})))
	legend := text(page.Find(testid("diff-legend")))
	for _, want := range []string{"added: 1 allocation(s), 1 node(s)", "changed: 1 allocation(s)", "removed: 1 allocation(s), 0 node(s)"} {
		if !strings.Contains(legend, want) {
			t.Errorf("legend %q lacks %q", legend, want)
		}
	}
	if page.Find(testid("diff-diagram")+" svg").Length() != 1 {
		t.Error("no picture")
	}
	page = doc(t, renderPage(t, views.DiffPage(chrome(after, ""), d, views.DiffDiagram{Why: "layout timed out"})))
	if text(page.Find(testid("diff-diagram-error"))) != "layout timed out" {
		t.Error("no reason for the missing picture")
	}
	d.Error = "no picture as of then"
	page = doc(t, renderPage(t, views.DiffPage(chrome(after, ""), d, views.DiffDiagram{})))
	if page.Find(testid("diff-legend")).Length()+page.Find(testid("diff-diagram-error")).Length() != 0 {
		t.Error("a failed diff still shows a picture section")
	}
}
