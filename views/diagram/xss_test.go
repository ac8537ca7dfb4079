package diagram_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/netviz/netviz/views/viewmodel"
)

// TestHostileNames draws a cluster whose job, group, task, port, service and
// node names are markup and DOT syntax, and checks that none of it acts as
// such: the SVG is well-formed XML, holds no script or event handler, links
// stay on the site, and the names come back as plain text.
func TestHostileNames(t *testing.T) {
	snap := xss()
	// The DOT stayed one graph: exactly the two tasks, one namespace, one host.
	one := map[string]int{"task-": 2, "ns-": 1, "host-": 1}
	t.Run("topology", func(t *testing.T) { checkInert(t, render(t, drawer.Topology(snap, viewmodel.Filter{})), one) })
	t.Run("namespace", func(t *testing.T) { checkInert(t, render(t, drawer.Namespace(snap, "x1")), one) })
	// The scale view: two job/groups (one in a hostile namespace), one
	// node chip, one datacenter band.
	t.Run("scale", func(t *testing.T) {
		checkInert(t, render(t, drawer.Topology(xssScale(), viewmodel.Filter{})),
			map[string]int{"group-": 2, "node-": 1, "band-": 1, "ns-": 0, "host-": 0})
	})
}

// checkInert asserts that the hostile names in svg stayed text, and that
// the elements with each test ID prefix are as many as counts says.
func checkInert(t *testing.T, svg []byte, counts map[string]int) {
	t.Helper()

	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
	}

	d := parse(t, svg)
	var texts []string
	for n := range d.root.Descendants() {
		if n.Type == html.TextNode {
			texts = append(texts, n.Data)
			continue
		}
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "script", "img", "iframe", "foreignobject", "object", "embed":
			t.Errorf("hostile name became a <%s> element", n.Data)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("<%s> has an event handler attribute %s=%q", n.Data, a.Key, a.Val)
			}
			if (a.Key == "href" || a.Key == "xlink:href") && !strings.HasPrefix(a.Val, "/") {
				t.Errorf("<%s> links off the site: %q", n.Data, a.Val)
			}
		}
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, hostile) {
		t.Errorf("the hostile name does not come back as text; texts:\n%s", all)
	}

	for prefix, n := range counts {
		if got := d.count(prefix); got != n {
			t.Errorf("%d elements %s*, want %d (DOT injection?)", got, prefix, n)
		}
	}
}
