//go:build integration

package nomad

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
)

// TestResumeAfterDropOnRealNomad reproduces, on a real Nomad 1.6.2 with
// event_buffer_size 10, what the scale harness found: a catch-up read, then
// events, then the stream resumed from the read's index after Nomad's buffer
// moved on, so Nomad silently started it past those events. A proxy between
// the source and Nomad (loopback only) stops reading the stream during a
// burst, so Nomad drops the subscriber for real; then it holds the source's
// next stream request while more changes happen and forced evaluations push
// them out of the buffer. The model must equal a fresh read of Nomad once
// Nomad has settled, with anti-entropy off.
func TestResumeAfterDropOnRealNomad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	const jobs, perJob = 4, 60
	c := startCluster(ctx, t, devcluster.Options{EventBufferSize: 10, ScaleAllocs: jobs * perJob})
	nc := c.Nomad()
	want := map[string]int{}
	for i := range jobs {
		id := fmt.Sprintf("burst%d", i)
		want[id] = perJob
		register(t, nc, devcluster.ScaleJob(id, perJob, map[string]string{"round": "1"}))
	}
	waitSettled(ctx, t, nc, want)

	p := newStreamProxy(t, c.NomadAddr)
	cfg, _ := c.APIConfigs()
	cfg.Address = p.url
	client, err := nomadapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	store := model.NewStore()
	s := NewSource(client, p.url, store, testLogger(t), WithAntiEntropy(0), WithStaleAfter(time.Minute))
	states := watchStatus(t, s)
	runSource(t, s)
	waitState(t, s, model.StateConnected)
	equalFresh(ctx, t, c, store, "after the first sync")

	// A burst Nomad's buffer cannot hold while the source reads nothing:
	// every job replaced at once. Nomad drops the stalled subscriber.
	p.pause()
	p.holdNextStream()
	for id := range want {
		register(t, nc, devcluster.ScaleJob(id, perJob, map[string]string{"round": "2"}))
	}
	waitSettled(ctx, t, nc, want)
	p.resume()

	// The source's next stream waits in the proxy; meanwhile more changes,
	// and forced evaluations (raft updates of a topic netviz does not
	// follow) push them out of the buffer.
	p.waitHeld(t)
	register(t, nc, devcluster.ScaleJob("burst0", perJob-10, map[string]string{"round": "2"}))
	want["burst0"] = perJob - 10
	in := devcluster.ScaleJob("burst1", perJob, map[string]string{"round": "2"})
	in.TaskGroups[0].Services[0].Tags = []string{"in-place"}
	register(t, nc, in)
	waitSettled(ctx, t, nc, want)
	for range 20 {
		if _, _, err := nc.Jobs().ForceEvaluate("burst2", nil); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2 * time.Second) // let the evaluations finish
	p.release()

	equalFresh(ctx, t, c, store, "after the drop and the held resume")
	st := s.Status()
	t.Logf("status %s, catch-ups %d, drop burst %d; states seen: %s", st.State, st.CatchUps, st.DropBurst, states())
	if st.DropBurst == 0 {
		t.Errorf("Nomad never dropped the stalled stream (status %+v): the test did not force a drop", st)
	}
	if st.State != model.StateConnected || st.Divergences != 0 {
		t.Errorf("final status %+v, want connected with no divergence", st)
	}
}

// register submits a job.
// startCluster starts a dev cluster of its own for one test (failing it
// when the cluster cannot start), closed when the test ends, with the
// agents' logs when it failed.
func startCluster(ctx context.Context, t *testing.T, opts devcluster.Options) *devcluster.Cluster {
	t.Helper()
	c, err := devcluster.Start(ctx, opts)
	if err != nil {
		t.Fatalf("start a dev cluster (%+v): %v", opts, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(c.Logs())
		}
		if err := c.Close(); err != nil {
			t.Errorf("close the cluster: %v", err)
		}
	})
	return c
}

func register(t *testing.T, nc *nomadapi.Client, job *nomadapi.Job) {
	t.Helper()
	if _, _, err := nc.Jobs().Register(job, nil); err != nil {
		t.Fatalf("register %s: %v", *job.ID, err)
	}
}

// waitSettled waits until every job in want runs exactly its count of
// allocations at its current version, and no other allocation is live.
func waitSettled(ctx context.Context, t *testing.T, nc *nomadapi.Client, want map[string]int) {
	t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	var last string
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if last = unsettled(nc, want); last == "" {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("Nomad did not settle: %s", last)
}

// unsettled says what keeps Nomad from the state in want, or "".
func unsettled(nc *nomadapi.Client, want map[string]int) string {
	versions := map[string]uint64{}
	for id := range want {
		job, _, err := nc.Jobs().Info(id, nil)
		if err != nil {
			return err.Error()
		}
		versions[id] = *job.Version
	}
	allocs, _, err := nc.Allocations().List(nil)
	if err != nil {
		return err.Error()
	}
	running := map[string]int{}
	for _, a := range allocs {
		if a.ClientStatus == "complete" || a.ClientStatus == "failed" || a.ClientStatus == "lost" {
			continue
		}
		if a.ClientStatus != "running" || a.DesiredStatus != "run" || a.JobVersion != versions[a.JobID] {
			return fmt.Sprintf("allocation %s of %s is %s/%s at version %d", a.ID[:8], a.JobID, a.ClientStatus, a.DesiredStatus, a.JobVersion)
		}
		running[a.JobID]++
	}
	for id, n := range want {
		if running[id] != n {
			return fmt.Sprintf("%s runs %d allocations, want %d", id, running[id], n)
		}
	}
	return ""
}

// equalFresh waits (up to a minute: the stream's own pace, not
// anti-entropy, which is off) until the model's Nomad side equals a fresh
// read of Nomad.
func equalFresh(ctx context.Context, t *testing.T, c *devcluster.Cluster, store *model.Store, when string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var got, want string
	for time.Now().Before(deadline) && ctx.Err() == nil {
		fresh := model.NewStore()
		if err := NewSource(c.Nomad(), c.NomadAddr, fresh, nil).SyncFull(ctx); err != nil {
			t.Fatalf("fresh read: %v", err)
		}
		got, want = nomadSide(t, store.Snapshot()), nomadSide(t, fresh.Snapshot())
		if got == want {
			return
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("%s the model differs from a fresh read of Nomad:\n%s", when, firstDiff(got, want))
}

// firstDiff shows the first lines where two renderings differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			lo := max(i-5, 0)
			return fmt.Sprintf("model (%d lines) at line %d:\n%s\nfresh (%d lines):\n%s", len(g), i,
				strings.Join(g[lo:min(i+5, len(g))], "\n"), len(w), strings.Join(w[lo:min(i+5, len(w))], "\n"))
		}
	}
	return fmt.Sprintf("model %d lines, fresh %d lines", len(g), len(w))
}

// watchStatus records the source's state changes until the test ends and
// returns a function listing them.
func watchStatus(t *testing.T, s *Source) func() string {
	var mu sync.Mutex
	var seen []string
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		prev := ""
		for ctx.Err() == nil {
			if st := s.Status(); st.State != prev {
				prev = st.State
				mu.Lock()
				seen = append(seen, st.State)
				mu.Unlock()
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(seen, " → ")
	}
}

// streamProxy is a reverse proxy on loopback in front of Nomad that can
// stop reading the event stream (pause) and hold the next stream request
// (holdNextStream). Its connections to Nomad have a small receive buffer, so
// a paused stream backs up into Nomad quickly.
type streamProxy struct {
	url string

	mu      sync.Mutex
	resumed chan struct{} // nil while not paused
	next    chan struct{} // the next stream request waits for it to close
	open    chan struct{} // what release closes
	held    chan struct{} // closed when a stream request waits
}

func newStreamProxy(t *testing.T, target string) *streamProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &streamProxy{}
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1
	rp.Transport = &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 16}
	rp.ModifyResponse = func(r *http.Response) error {
		if r.Request.URL.Path == "/v1/event/stream" {
			r.Body = &pausedBody{ReadCloser: r.Body, p: p}
		}
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/event/stream" {
			p.mu.Lock()
			wait, held := p.next, p.held
			p.next = nil
			p.mu.Unlock()
			if wait != nil {
				close(held)
				select {
				case <-wait:
				case <-r.Context().Done():
					return
				}
			}
		}
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		p.resume()
		p.release()
		_ = srv.Close()
	})
	p.url = "http://" + ln.Addr().String()
	return p
}

// pause stops reading every event stream until resume.
func (p *streamProxy) pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resumed == nil {
		p.resumed = make(chan struct{})
	}
}

func (p *streamProxy) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resumed != nil {
		close(p.resumed)
		p.resumed = nil
	}
}

// holdNextStream makes the next stream request wait for release.
func (p *streamProxy) holdNextStream() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open, p.held = make(chan struct{}), make(chan struct{})
	p.next = p.open
}

// waitHeld waits until a stream request is held.
func (p *streamProxy) waitHeld(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	held := p.held
	p.mu.Unlock()
	select {
	case <-held:
	case <-time.After(2 * time.Minute):
		t.Fatal("the source never asked for the event stream again")
	}
}

// release lets the held stream request (or the next one) go on.
func (p *streamProxy) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open != nil {
		close(p.open)
		p.open, p.next = nil, nil
	}
}

// pausedBody is an event stream's body that blocks while the proxy is
// paused.
type pausedBody struct {
	io.ReadCloser
	p *streamProxy
}

func (b *pausedBody) Read(buf []byte) (int, error) {
	b.p.mu.Lock()
	wait := b.p.resumed
	b.p.mu.Unlock()
	if wait != nil {
		<-wait
	}
	return b.ReadCloser.Read(buf)
}
