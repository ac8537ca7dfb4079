package web_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/web"
)

// TestLivePush: a page's websocket gets a fresh render on connect, then a
// push with the new content after the model changes.
func TestLivePush(t *testing.T) {
	st := newStore(t)
	r := serve(t, web.New(st, web.Options{}))
	conn := mustDial(t, r.addr, "/")

	first := readUntil(t, conn, `id="snapshot-version"`)
	if !strings.Contains(first, `hx-swap-oob="innerHTML"`) || !strings.Contains(first, `id="overview-counts"`) {
		t.Fatalf("resync is not a set of out-of-band fragments: %.200s", first)
	}

	snap := st.Apply(model.UpsertNode{Node: &model.Node{ID: "node-c", Name: "client-c-new", Status: "ready"}})
	msg := readUntil(t, conn, "client-c-new")
	if want := "v" + strconv.FormatUint(snap.Version(), 10); !strings.Contains(msg, want) {
		t.Errorf("push lacks version %s", want)
	}
	if strings.Contains(msg, "<form") || strings.Contains(msg, "<html") {
		t.Error("push carries more than the fragments")
	}
}

// TestLivePushSkipsUnaffectedViews: a node page is not re-rendered for a
// change on another node; the next push it gets is for its own node.
func TestLivePushSkipsUnaffectedViews(t *testing.T) {
	st, srv := quickServer(t, 8)
	r := serve(t, srv)
	conn := mustDial(t, r.addr, "/nodes/"+fixture.NodeB)
	readUntil(t, conn, `id="node-ports"`)
	// The overview is affected by everything: once it shows a change, the
	// hub has flushed that change to every view it affects.
	barrier := mustDial(t, r.addr, "/")
	readUntil(t, barrier, `id="overview-counts"`)

	// A new allocation on node A: node B's page does not show it.
	st.Apply(model.UpsertAllocation{Alloc: &model.Allocation{ID: "elsewhere", Name: "other-node-alloc", JobID: "other-job", NodeID: fixture.NodeA}})
	readUntil(t, barrier, "other-job")
	// Then one on node B, which it does.
	snap := st.Apply(model.UpsertAllocation{Alloc: &model.Allocation{ID: "here", Name: "this-node-alloc", JobID: "this-node-job", NodeID: fixture.NodeB}})

	if err := conn.SetReadDeadline(time.Now().Add(waitLimit)); err != nil {
		t.Fatal(err)
	}
	_, msg, err := conn.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(msg), "this-node-job") {
		t.Fatalf("first push after the changes is not the node's own: %.300s", msg)
	}
	if want := ">v" + strconv.FormatUint(snap.Version(), 10) + "<"; !strings.Contains(string(msg), want) {
		t.Errorf("push is not at the latest version %s", want)
	}
}

// TestViewChangesShape: an unknown node's page gets the node's fragments
// once the node appears (the page script reloads on a new shape).
func TestViewChangesShape(t *testing.T) {
	st := newStore(t)
	r := serve(t, web.New(st, web.Options{}))
	conn := mustDial(t, r.addr, "/nodes/late")
	readUntil(t, conn, `data-shape="not-found"`)
	st.Apply(model.UpsertNode{Node: &model.Node{ID: "late", Name: "late-node"}})
	readUntil(t, conn, `data-shape="node-summary node-port-summary node-ports node-allocations node-warnings"`)
}

func TestOriginCheck(t *testing.T) {
	st := newStore(t)
	r := serve(t, web.New(st, web.Options{AllowedOrigins: []string{"https://dash.example:8443/"}}))
	cases := []struct {
		origin string
		ok     bool
	}{
		{"", true}, // not a browser
		{"http://" + r.addr, true},
		{"https://dash.example:8443", true},
		{"https://DASH.example:8443", true},
		{"http://evil.example", false},
		{"https://dash.example:8444", false},
		{"null", false},
	}
	for _, tc := range cases {
		t.Run(tc.origin, func(t *testing.T) {
			conn, resp, err := dial(t, r.addr, "/", tc.origin)
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				conn.Close()
				return
			}
			if err == nil {
				t.Fatal("accepted a foreign origin")
			}
			if resp == nil || resp.StatusCode != 403 {
				t.Errorf("response %v, want 403", resp)
			}
		})
	}
}

func TestBadView(t *testing.T) {
	st := newStore(t)
	r := serve(t, web.New(st, web.Options{}))
	for _, view := range []string{"/nope", "http://elsewhere/", "/allocations/"} {
		if _, resp, err := dial(t, r.addr, view, ""); err == nil || resp == nil || resp.StatusCode != 400 {
			t.Errorf("view %q: err %v, response %v; want 400", view, err, resp)
		}
	}
}

// TestSlowClientDropped: a client that never reads cannot hold up another
// client of the same view; once its queue is full it is dropped.
func TestSlowClientDropped(t *testing.T) {
	st, srv := quickServer(t, 1)
	r := serve(t, srv)

	slow := mustDial(t, r.addr, "/services/big")
	fast := mustDial(t, r.addr, "/services/big")
	readUntil(t, fast, `id="snapshot-version"`)

	// Each round pushes ~64 KiB; 400 rounds outgrow any loopback socket
	// buffer, so the slow client's writer blocks and its queue fills.
	pad := strings.Repeat("x", 64<<10)
	const rounds = 400
	for i := range rounds {
		marker := "round-" + strconv.Itoa(i) + "-end"
		st.Apply(model.UpsertService{Service: &model.Service{
			ID: "big-1", Name: "big", Provider: model.ProviderNomad, Address: "10.0.0.1", Port: 1,
			Tags: []string{pad, marker},
		}})
		readUntil(t, fast, marker)
	}

	// The slow client now drains what the kernel buffered, then finds the
	// connection closed: it never sees the last round.
	last := "round-" + strconv.Itoa(rounds-1) + "-end"
	if err := slow.SetReadDeadline(time.Now().Add(waitLimit)); err != nil {
		t.Fatal(err)
	}
	for {
		_, msg, err := slow.ReadMessage()
		if err != nil {
			if !isClosed(err) {
				t.Fatalf("slow client was not dropped: %v", err)
			}
			break
		}
		if strings.Contains(string(msg), last) {
			t.Fatal("slow client received every push: it was not dropped")
		}
	}
}

// TestShutdownClosesWebsockets: ending Serve's context closes open pages'
// sockets with "service restart" (so the ws extension reconnects) and
// returns; TestMain then checks no goroutine was left behind.
func TestShutdownClosesWebsockets(t *testing.T) {
	st := newStore(t)
	r := serve(t, web.New(st, web.Options{}))
	var conns []*websocket.Conn
	for _, view := range []string{"/", "/", "/services/api", "/nodes/" + fixture.NodeA} {
		c := mustDial(t, r.addr, view)
		readUntil(t, c, `id="snapshot-version"`)
		conns = append(conns, c)
	}
	if err := r.stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	for _, c := range conns {
		if err := c.SetReadDeadline(time.Now().Add(waitLimit)); err != nil {
			t.Fatal(err)
		}
		_, _, err := c.ReadMessage()
		if !websocket.IsCloseError(err, websocket.CloseServiceRestart) {
			t.Errorf("read after shutdown: %v, want close 1012", err)
		}
	}
}
