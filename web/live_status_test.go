package web_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/fixture"
	"github.com/netviz/netviz/web"
)

// What a model batch does to one open page.
const (
	pushNone   = "nothing"
	pushStatus = "status"
	pushFull   = "full"
)

// nomadFrame is a batch as collector/nomad applies one per event-stream
// frame: the frame's changes, then the source's status stamped with the
// frame's index and time (applyFrame, setConnected).
func nomadFrame(index uint64, at time.Time, changes ...model.Change) []model.Change {
	return append(changes, model.SetNomadStatus{Status: model.SourceStatus{
		State: model.StateConnected, Address: "http://127.0.0.1:4646",
		Index: index, LastEvent: at, AsOf: at, Since: fixture.Epoch,
	}})
}

// consulBatch is a batch as collector/consul applies one per answer: the
// changes, then the source's status.
func consulBatch(index uint64, at time.Time, changes ...model.Change) []model.Change {
	return append(changes, model.SetConsulStatus{Status: model.SourceStatus{
		State: model.StateConnected, Address: "http://127.0.0.1:8500",
		Index: index, LastEvent: at, AsOf: at, Since: fixture.Epoch,
	}})
}

// swapIDs lists the ids a push swaps, in order.
func swapIDs(msg string) []string {
	var ids []string
	for _, m := range swapID.FindAllStringSubmatch(msg, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

var swapID = regexp.MustCompile(`id="([^"]+)" hx-swap-oob=`)

// kindOf classifies a push: a full render carries the page's shape marker,
// a status push only the version, the badges and the status fragments.
func kindOf(t *testing.T, view, msg string) string {
	t.Helper()
	ids := swapIDs(msg)
	if slices.Contains(ids, "page-shape") {
		return pushFull
	}
	want := []string{"snapshot-version", "source-status"}
	if view == "/" {
		want = append(want, "overview-sources")
	}
	if !slices.Equal(ids, want) {
		t.Errorf("%s: a push without the page shape swaps %v, want only %v", view, ids, want)
	}
	return pushStatus
}

// TestLiveCollectorBatches: batches built the way the collector builds them
// (each Nomad frame and Consul answer carries the source's status) push to
// each open page only what it shows anew: the whole page when its content
// changed, the status fragments when only the status it shows changed, and
// nothing otherwise. A frame's new index and time change the overview's
// sources table but no badge, so other pages get nothing.
func TestLiveCollectorBatches(t *testing.T) {
	t1 := fixture.Epoch.Add(time.Minute)
	frameAlloc := &model.Allocation{ID: "f1", Name: "frame.app[0]", JobID: "frame-job", NodeID: fixture.NodeA, ClientStatus: "running"}
	cases := []struct {
		name  string
		batch []model.Change
		want  map[string]string
	}{
		{
			name:  "nomad frame: an allocation on node A",
			batch: nomadFrame(43, t1, model.UpsertAllocation{Alloc: frameAlloc}),
			want: map[string]string{
				"/": pushFull, "/topology": pushFull, "/nodes/" + fixture.NodeA: pushFull,
				"/nodes/" + fixture.NodeB: pushNone, "/services/redis": pushNone, "/allocations/" + fixture.AllocAPI: pushNone,
			},
		},
		{
			name:  "nomad frame: nothing netviz shows (status only)",
			batch: nomadFrame(44, t1),
			want: map[string]string{
				"/": pushStatus, "/topology": pushNone, "/nodes/" + fixture.NodeA: pushNone,
				"/nodes/" + fixture.NodeB: pushNone, "/services/redis": pushNone, "/allocations/" + fixture.AllocAPI: pushNone,
			},
		},
		{
			name: "nomad goes stale (status only, every badge changes)",
			batch: []model.Change{model.SetNomadStatus{Status: model.SourceStatus{
				State: model.StateStale, Address: "http://127.0.0.1:4646", Index: 42, LastEvent: fixture.Epoch, AsOf: fixture.Epoch,
				Reason: "no heartbeat for 30s", Since: t1,
			}}},
			want: map[string]string{
				"/": pushStatus, "/topology": pushStatus, "/nodes/" + fixture.NodeA: pushStatus,
				"/nodes/" + fixture.NodeB: pushStatus, "/services/redis": pushStatus, "/allocations/" + fixture.AllocAPI: pushStatus,
			},
		},
		{
			name: "consul answer: api's health",
			batch: consulBatch(7, t1, model.UpsertService{Service: &model.Service{
				ID: "_nomad-task-" + fixture.AllocAPI + "-group-api-api-9090", Name: "api", Provider: model.ProviderConsul,
				NodeID: fixture.NodeB, AllocID: fixture.AllocAPI, Address: "172.26.64.9", Port: 9090, Health: model.HealthCritical,
			}}),
			want: map[string]string{
				"/": pushFull, "/topology": pushFull, "/nodes/" + fixture.NodeA: pushNone,
				"/nodes/" + fixture.NodeB: pushNone, "/services/redis": pushNone, "/allocations/" + fixture.AllocAPI: pushFull,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, srv := quickServer(t, 64)
			r := serve(t, srv)
			conns := map[string]*websocket.Conn{}
			for view := range tc.want {
				conns[view] = mustDial(t, r.addr, view)
				readUntil(t, conns[view], `id="snapshot-version"`)
			}

			frame := st.Apply(tc.batch...)
			// Pages that show the batch get a push of its version. Every
			// batch here changes what the overview shows, so once these
			// have arrived the hub has flushed the batch, and any push it
			// made to the other pages is on its way.
			for view, want := range tc.want {
				if want == pushNone {
					continue
				}
				msg := readFrom(t, conns[view], frame.Version())
				if got := kindOf(t, view, msg); got != want || pushedVersion(msg) != frame.Version() {
					t.Errorf("%s: pushed %s at version %d, want %s at %d (%.300s)", view, got, pushedVersion(msg), want, frame.Version(), msg)
				}
			}
			// Consul going down changes every page's content (edge health
			// and verdicts): a page the batch left alone gets that next.
			related := st.Apply(model.SetConsulStatus{Status: model.SourceStatus{State: model.StateDown, Error: "connection refused"}})
			for view, want := range tc.want {
				if want != pushNone {
					continue
				}
				msg := readFrom(t, conns[view], frame.Version())
				if v := pushedVersion(msg); v != related.Version() {
					t.Errorf("%s: pushed %s at version %d, want nothing before version %d (%.300s)", view, kindOf(t, view, msg), v, related.Version(), msg)
				} else if kindOf(t, view, msg) != pushFull {
					t.Errorf("%s: Consul going down was not a full push: %.300s", view, msg)
				}
			}
		})
	}
}

// TestLiveStatusPushWhileRendering: a status change that lands while a
// view's full render is held is pushed at once, and the full render, when
// it lands with the older status, is followed by the newer one, so the
// page ends showing the latest status.
func TestLiveStatusPushWhileRendering(t *testing.T) {
	st, srv := quickServer(t, 64)
	view := "/nodes/" + fixture.NodeB
	fake := web.UseFakeSlowRenderer(srv, view)
	r := serve(t, srv)
	conn := mustDial(t, r.addr, view)
	readUntil(t, conn, `id="node-summary"`)

	fake.Hold()
	changed := st.Apply(model.UpsertAllocation{Alloc: &model.Allocation{ID: "held", Name: "held.app[0]", JobID: "held-job", NodeID: fixture.NodeB}})
	waitStarted(t, fake)
	stale := st.Apply(model.SetNomadStatus{Status: model.SourceStatus{State: model.StateStale, Reason: "marker-stale", AsOf: fixture.Epoch}})
	msg := readFrom(t, conn, changed.Version())
	if kindOf(t, view, msg) != pushStatus || pushedVersion(msg) != stale.Version() {
		t.Fatalf("first push during the held render is not the status at version %d: %.300s", stale.Version(), msg)
	}
	fake.Release()
	// The held render took its snapshot before the status changed.
	msg = readFrom(t, conn, changed.Version())
	if kindOf(t, view, msg) != pushFull {
		t.Fatalf("the held render did not land: %.300s", msg)
	}
	if pushedVersion(msg) != changed.Version() || !strings.Contains(msg, "held-job") {
		t.Fatalf("the held render is not of version %d: %.300s", changed.Version(), msg)
	}
	msg = readFrom(t, conn, stale.Version())
	if kindOf(t, view, msg) != pushStatus || !strings.Contains(msg, "marker-stale") {
		t.Fatalf("an older full render was not followed by the latest status: %.300s", msg)
	}
}

// waitStarted waits until a held render of the fake's view has begun.
func waitStarted(t *testing.T, fake *web.FakeSlowRenderer) {
	t.Helper()
	select {
	case <-fake.Started():
	case <-time.After(waitLimit):
		t.Fatal("the held view was never rendered")
	}
}
