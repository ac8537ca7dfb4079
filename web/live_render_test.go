package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/web"
)

// onNode is a change that shows on one node's page: an allocation of job
// on it.
func onNode(node, job string) model.Change {
	return model.UpsertAllocation{Alloc: &model.Allocation{ID: job, Name: job + ".app[0]", JobID: job, NodeID: node}}
}

// nodePages serves the fixture with a render pool of workers renders at
// once, each with timeout, and a fake slow renderer in front of node A's
// page; it opens node A's page (slow) and node B's (fast).
func nodePages(t *testing.T, workers int, timeout time.Duration) (st *model.Store, fake *web.FakeSlowRenderer, slow, fast *websocket.Conn) {
	t.Helper()
	st, srv := quickServer(t, 8)
	web.SetRendering(srv, workers, timeout)
	fake = web.UseFakeSlowRenderer(srv, "/nodes/"+fixture.NodeA)
	r := serve(t, srv)
	slow, fast = mustDial(t, r.addr, "/nodes/"+fixture.NodeA), mustDial(t, r.addr, "/nodes/"+fixture.NodeB)
	readUntil(t, slow, `id="node-summary"`)
	readUntil(t, fast, `id="node-summary"`)
	return st, fake, slow, fast
}

// TestSlowViewDoesNotDelayOthers: while one view's render is held by a fake
// slow renderer, another view affected by the same change gets its push;
// the held one gets its own once released.
func TestSlowViewDoesNotDelayOthers(t *testing.T) {
	// Two workers, as on a one-processor machine; a deadline no test waits for.
	st, fake, slow, fast := nodePages(t, 2, time.Hour)
	fake.Hold()
	st.Apply(onNode(fixture.NodeA, "job-on-a"), onNode(fixture.NodeB, "job-on-b"))
	waitStarted(t, fake)
	// The slow view's render waits for Release, which comes only after.
	readUntil(t, fast, "job-on-b")
	fake.Release()
	readUntil(t, slow, "job-on-a")
}

// TestRenderDeadline: a render that outlives its deadline gives its worker
// back (the only one here, so the other view's push proves it) and pushes
// nothing; the next change renders the view again.
func TestRenderDeadline(t *testing.T) {
	st, fake, slow, fast := nodePages(t, 1, 50*time.Millisecond)
	fake.Hold()
	held := st.Apply(onNode(fixture.NodeA, "job-held"), onNode(fixture.NodeB, "job-on-b"))
	waitStarted(t, fake)
	readUntil(t, fast, "job-on-b")
	select {
	case <-fake.GaveUp():
	case <-time.After(waitLimit):
		t.Fatal("the held render outlived its deadline")
	}

	// Held until its deadline, the render pushed nothing; once the renderer
	// is quick again, the next change brings the view level.
	fake.Release()
	next := st.Apply(onNode(fixture.NodeA, "job-after"))
	msg := readFrom(t, slow, held.Version())
	if pushedVersion(msg) != next.Version() || !strings.Contains(msg, "job-held") || !strings.Contains(msg, "job-after") {
		t.Fatalf("first push after the held render is not the next change's full render (version %d): %.300s", next.Version(), msg)
	}
}

// TestRedrawDiagrams: the hook for a layout that finished late pushes the
// pages drawing that kind of diagram again, and no other page.
func TestRedrawDiagrams(t *testing.T) {
	st, srv := quickServer(t, 8)
	r := serve(t, srv)
	topo := mustDial(t, r.addr, "/topology")
	alloc := mustDial(t, r.addr, "/allocations/"+fixture.AllocWeb)
	node := mustDial(t, r.addr, "/nodes/"+fixture.NodeA)
	for _, c := range []*websocket.Conn{topo, alloc, node} {
		readUntil(t, c, `id="page-shape"`)
	}

	srv.RedrawDiagrams("topology")
	readUntil(t, topo, `id="topology-diagram"`)
	srv.RedrawDiagrams("namespace")
	readUntil(t, alloc, `id="alloc-diagram"`)

	snap := st.Apply(onNode(fixture.NodeA, "job-after-redraw"))
	if msg := readFrom(t, node, 0); pushedVersion(msg) != snap.Version() || !strings.Contains(msg, "job-after-redraw") {
		t.Fatalf("the node page got a push for a redraw of diagrams it does not draw: %.300s", msg)
	}
}
