package diagram_test

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/a-h/templ"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/golden"
	"github.com/netviz/netviz/views/diagram"
	"github.com/netviz/netviz/views/viewmodel"
)

// drawer is shared by the tests, like the one a server keeps: Graphviz
// starts once. It waits for every layout however long -race and a busy
// machine make it (drawer_test.go tests the deadline).
var drawer = diagram.NewDrawer(16, diagram.WithDeadline(0))

// goldenCase is one picture checked byte for byte (after normalising).
type goldenCase struct {
	name string
	draw func() templ.Component
}

func goldenCases() []goldenCase {
	topo := func(s *model.Snapshot) func() templ.Component {
		return func() templ.Component { return drawer.Topology(s, viewmodel.Filter{}) }
	}
	return []goldenCase{
		{"host-dynamic", topo(hostRedis(false))},
		{"host-static", topo(hostRedis(true))},
		{"same-group", topo(sameGroup())},
		{"discovery", topo(twoGroups(true))},
		{"discovery-broken", topo(twoGroups(false))},
		{"connect-allow", topo(connect(model.ActionAllow))},
		{"connect-deny", topo(connect(model.ActionDeny))},
		{"connect-namespace", func() templ.Component { return drawer.Namespace(connect(model.ActionAllow), "app1") }},
		{"ingress", topo(ingress())},
		{"aggregated-250", topo(synthetic(10, 25, 10))},
		{"scale-mix", topo(scaleMix())},
		{"scale-xss", topo(xssScale())},
		{"scale-200", topo(synthetic(10, 20, 10))},
		{"xss", topo(xss())},
	}
}

func render(t testing.TB, c templ.Component) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	return buf.Bytes()
}

// trailingSpace is stripped because editors strip it from golden files.
var trailingSpace = regexp.MustCompile(`[ \t]+\n`)

// normalise keeps the <svg> element alone (not the scrolling box around
// it), so each golden file is a picture a viewer opens; puts one tag per
// line, so a golden diff shows what moved; and drops trailing blanks. The
// output itself is deterministic.
func normalise(b []byte) []byte {
	if i, j := bytes.Index(b, []byte("<svg")), bytes.LastIndex(b, []byte("</svg>")); i >= 0 && j > i {
		b = b[i : j+len("</svg>")]
	}
	b = bytes.ReplaceAll(b, []byte("><"), []byte(">\n<"))
	return bytes.TrimSpace(trailingSpace.ReplaceAll(b, []byte("\n")))
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			got := append(normalise(render(t, tc.draw())), '\n')
			golden.Assert(t, filepath.Join("testdata", tc.name+".golden.svg"), got)
		})
	}
}

// TestDeterministic draws the same snapshot twice with fresh drawers (no
// cache) and expects identical output.
func TestDeterministic(t *testing.T) {
	snap := connect(model.ActionAllow)
	a := render(t, diagram.NewDrawer(1, diagram.WithDeadline(0)).Topology(snap, viewmodel.Filter{}))
	b := render(t, diagram.NewDrawer(1, diagram.WithDeadline(0)).Topology(snap, viewmodel.Filter{}))
	if !bytes.Equal(a, b) {
		t.Fatal("two layouts of the same snapshot differ")
	}
}
