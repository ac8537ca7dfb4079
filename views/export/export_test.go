package export_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/exportcheck"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/internal/golden"
	"github.com/netviz/netviz/views/export"
	"github.com/netviz/netviz/views/viewmodel"
)

// nasty is a job and service name that tries every way out of a label in
// DOT, Mermaid, SVG and HTML: quotes, brackets, an entity, a comment, a
// newline and a script.
const nasty = "x\"]; evil[\"#35; <script>alert(1)</script>\n%% end\n'`|{}&"

// cluster is the fixed golden cluster, the hostile objects of package
// fixture, and one more allocation and service named nasty.
func cluster() *model.Snapshot {
	changes := append(fixture.Cluster(), fixture.Hostile()...)
	a := fixture.Alloc("e5f0ffee-0000-4000-8000-000000000007", nasty).Group(nasty).Node(fixture.NodeB).Bridge("172.26.64.20").
		RawTask(nasty).Port(nasty, "10.0.0.12", 21001, 80, false).Svc(nasty, model.ProviderNomad, nasty).Build()
	changes = append(changes, model.UpsertAllocation{Alloc: a},
		fixture.Instance(a, model.ProviderNomad, nasty, nasty, 21001).Upsert())
	return fixture.Snapshot(changes...)
}

// views are the exports checked, one per page kind.
func views(t *testing.T, snap *model.Snapshot) map[string]export.View {
	t.Helper()
	node := viewmodel.FindNode(snap, fixture.NodeA)
	svc, ok := viewmodel.NewServiceView(snap, "api")
	if node == nil || !ok {
		t.Fatal("fixture lacks node A or service api")
	}
	hostileSvc, _ := viewmodel.NewServiceView(snap, nasty)
	return map[string]export.View{
		"topology":       export.Topology("topology", snap, viewmodel.Filter{}),
		"topology-web":   export.Topology("topology", snap, viewmodel.Filter{Job: "web"}),
		"allocation":     export.Allocation(snap, snap.Allocation(fixture.AllocWeb)),
		"allocation-xss": export.Allocation(snap, snap.Allocation(fixture.HostileAlloc)),
		"node":           export.NodePage(viewmodel.NewNodeLedgerView(snap, node, viewmodel.LedgerQuery{})),
		"node-xss":       export.NodePage(viewmodel.NewNodeLedgerView(snap, viewmodel.FindNode(snap, fixture.HostileNode), viewmodel.LedgerQuery{})),
		"services":       export.Services(viewmodel.NewServiceList(snap, viewmodel.Filter{})),
		"service":        export.Service(svc),
		"service-xss":    export.Service(hostileSvc),
		"reach":          export.Reach(viewmodel.NewReachView(snap, "web", "api", viewmodel.WindowFromQuery(nil))),
		"reach-matrix":   export.Reach(viewmodel.NewReachView(snap, "", "", viewmodel.WindowFromQuery(nil))),
		"warnings":       export.Warnings(viewmodel.Warnings(snap, viewmodel.Filter{}), viewmodel.Filter{}),
		"model":          export.Model(snap, viewmodel.Filter{}),
	}
}

// TestGolden pins every view in every picture format, and checks each is
// what its language accepts.
func TestGolden(t *testing.T) {
	snap := cluster()
	for name, v := range views(t, snap) {
		for _, f := range []export.Format{export.FormatSVG, export.FormatDOT, export.FormatMermaid} {
			t.Run(name+"."+f.Ext(), func(t *testing.T) {
				got, err := v.Render(context.Background(), f)
				if err != nil {
					t.Fatal(err)
				}
				if err := exportcheck.Check(f, got); err != nil {
					t.Errorf("%v\n%s", err, got)
				}
				if bytes.Contains(got, []byte("evil {")) || bytes.Contains(got, []byte("\nevil")) {
					t.Errorf("a name reached the file's structure:\n%s", got)
				}
				golden.Assert(t, filepath.Join("testdata", name+".golden."+f.Ext()), normalise(got))
			})
		}
	}
}

// styleBody is an embedded style sheet's content.
var styleBody = regexp.MustCompile(`(?s)<style>.*?</style>`)

// normalise leaves the diagram's CSS out of golden files: package
// diagram's own golden files pin it, and the export only has to carry it
// (TestExportSVGIsThePagePicture in web, TestExports in e2e).
func normalise(b []byte) []byte {
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		return b
	}
	if !styleBody.Match(b) && bytes.Contains(b, []byte(`class="netviz-diagram"`)) {
		return []byte("a diagram SVG without its <style>")
	}
	return styleBody.ReplaceAll(b, []byte("<style>/* the diagram's CSS */</style>"))
}

// TestStandaloneStrips feeds the SVG writer what a picture never holds and
// checks none of it comes out.
func TestStandaloneStrips(t *testing.T) {
	in := `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg viewBox="0 0 1 1"><!-- c --><script>alert(1)</script><a href="http://evil.example/" onclick="alert(2)"><rect style="fill:url(http://x/)"/></a>
<foreignObject><div>x</div></foreignObject><use href="#ok"/><text>&lt;script&gt;</text></svg>`
	got, err := export.Standalone([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if err := exportcheck.SVG(got); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"alert", "evil.example", "DOCTYPE", "<!--", "url(http"} {
		if bytes.Contains(got, []byte(bad)) {
			t.Errorf("%q survived:\n%s", bad, got)
		}
	}
	for _, good := range []string{`href="#ok"`, `&lt;script&gt;`, `xmlns="http://www.w3.org/2000/svg"`} {
		if !bytes.Contains(got, []byte(good)) {
			t.Errorf("%q lost:\n%s", good, got)
		}
	}
	if _, err := export.Standalone([]byte(`<html><svg/></html>`)); err == nil {
		t.Error("a non-SVG root was accepted")
	}
}

// TestFileName keeps file names to safe characters whatever the view's
// name.
func TestFileName(t *testing.T) {
	for stem, want := range map[string]string{
		"topology":                        "netviz-topology.svg",
		"service-" + nasty:                "netviz-service-x-evil-35-script-alert-1-script-end.svg",
		"../../etc/passwd":                "netviz-..-..-etc-passwd.svg",
		"job=web&namespace=default":       "netviz-job-web-namespace-default.svg",
		strings.Repeat("a", 200):          "netviz-" + strings.Repeat("a", 73) + ".svg",
		"\r\nContent-Type: text/html\r\n": "netviz-Content-Type-text-html.svg",
	} {
		if got := export.FileName(stem, export.FormatSVG); got != want {
			t.Errorf("FileName(%q) = %q, want %q", stem, got, want)
		}
	}
	if got := export.Disposition(nasty, export.FormatMermaid); strings.ContainsAny(got, "\r\n\"<") {
		t.Errorf("Disposition = %q", got)
	}
}

// TestTooLargeToDraw: a view past MaxDrawnBoxes is refused as SVG (which
// would hold Graphviz for seconds) and still exported as DOT and Mermaid.
func TestTooLargeToDraw(t *testing.T) {
	snap := fixture.Snapshot(fixture.Generate(fixture.SyntheticConfig{Nodes: 10, Allocations: 1000, Seed: 1}).Changes()...)
	v := export.Model(snap, viewmodel.Filter{})
	if _, err := v.Render(context.Background(), export.FormatSVG); !errors.Is(err, export.ErrTooLarge) {
		t.Errorf("SVG of the model of 1,000 allocations: %v, want ErrTooLarge", err)
	}
	for _, f := range []export.Format{export.FormatDOT, export.FormatMermaid} {
		got, err := v.Render(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if err := exportcheck.Check(f, got); err != nil {
			t.Error(err)
		}
	}
	small := export.Model(snap, viewmodel.Filter{Node: "client-0001"})
	svg, err := small.Render(context.Background(), export.FormatSVG)
	if err != nil || !bytes.Contains(svg, []byte("client-0001")) {
		t.Errorf("SVG of one node's allocations: %v\n%.500s", err, svg)
	}
}
