//go:build integration

package collector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/history"
	"github.com/netviz/netviz/collector/history/record"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
	"github.com/netviz/netviz/views/viewmodel"
	"github.com/netviz/netviz/web"
)

// recording is a collector that records history, with its server.
type recording struct {
	store *model.Store
	rec   *record.Recorder
	srv   *httptest.Server
	stop  func()
}

// startRecording runs a collector recording into dir, and a web server
// over it, until stop (or the end of the test).
func startRecording(t *testing.T, c *devcluster.Cluster, dir string) *recording {
	t.Helper()
	n, cc := c.APIConfigs()
	col, err := collector.New(collector.Config{Nomad: n, Consul: cc, History: &record.Options{Dir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- col.Run(ctx) }()
	r := &recording{store: col.Store(), rec: col.History()}
	r.srv = httptest.NewServer(web.New(r.store, web.Options{History: r.rec}).Handler())
	stopped := false
	r.stop = func() {
		if stopped {
			return
		}
		stopped = true
		r.srv.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("collector Run: %v", err)
		}
		col.Close()
	}
	t.Cleanup(r.stop)
	return r
}

// histTruth is what Nomad's and Consul's APIs say about the test's job
// and intention: running allocation → its host ports; the intention's action.
type histTruth struct {
	at        time.Time
	allocs    map[string][]int
	intention string
}

func readTruth(t *testing.T, c *devcluster.Cluster) histTruth {
	t.Helper()
	tr := histTruth{allocs: map[string][]int{}}
	stubs, _, err := c.Nomad().Jobs().Allocations("hist", false, nil)
	if err != nil && !strings.Contains(err.Error(), "404") {
		t.Fatal(err)
	}
	for _, s := range stubs {
		if s.ClientStatus != nomadapi.AllocClientStatusRunning || s.DesiredStatus != nomadapi.AllocDesiredStatusRun {
			continue
		}
		a, _, err := c.Nomad().Allocations().Info(s.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		var ports []int
		if a.AllocatedResources != nil {
			for _, p := range a.AllocatedResources.Shared.Ports {
				ports = append(ports, p.Value)
			}
		}
		slices.Sort(ports)
		tr.allocs[a.ID] = ports
	}
	e, _, err := c.Consul().ConfigEntries().Get(consulapi.ServiceIntentions, "hist-web", nil)
	if err == nil {
		for _, s := range e.(*consulapi.ServiceIntentionsConfigEntry).Sources {
			if s.Name == "app" {
				tr.intention = string(s.Action)
			}
		}
	}
	return tr
}

// modelTruth is the same read from a model snapshot.
func modelTruth(s *model.Snapshot) histTruth {
	tr := histTruth{allocs: map[string][]int{}}
	for _, a := range s.AllocationsOfJob("default", "hist") {
		var ports []int
		for _, p := range a.Ports {
			ports = append(ports, p.Value)
		}
		slices.Sort(ports)
		tr.allocs[a.ID] = ports
	}
	for _, in := range s.Intentions() {
		if in.Source == "app" && in.Destination == "hist-web" {
			tr.intention = in.Action
		}
	}
	return tr
}

func (a histTruth) String() string {
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range a.allocs {
			if !yield(id) {
				return
			}
		}
	})
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "%s%v ", id[:8], a.allocs[id])
	}
	return fmt.Sprintf("allocs [%s] intention %q", strings.TrimSpace(b.String()), a.intention)
}

// settleHist waits until the APIs show what the step wants (allocations
// running, the intention's action) and the model agrees with them, and
// returns that moment's truth.
func settleHist(t *testing.T, c *devcluster.Cluster, store *model.Store, what string, allocs int, intention string) histTruth {
	t.Helper()
	var tr histTruth
	waitModel(t, store, what, func(s *model.Snapshot) error {
		tr = readTruth(t, c)
		if len(tr.allocs) != allocs || tr.intention != intention {
			return fmt.Errorf("the APIs say %s", tr)
		}
		if got := modelTruth(s); got.String() != tr.String() {
			return fmt.Errorf("model %s, APIs %s", got, tr)
		}
		return nil
	})
	tr.at = time.Now()
	return tr
}

// waitEntries polls the timeline until cond holds on it.
func waitEntries(t *testing.T, tl func(context.Context, history.Query) ([]history.Entry, error), what string, q history.Query, cond func([]history.Entry) bool) []history.Entry {
	t.Helper()
	deadline := time.Now().Add(modelWait)
	for {
		es, err := tl(context.Background(), q)
		if err == nil && cond(es) {
			return es
		}
		if time.Now().After(deadline) {
			t.Fatalf("timeline never showed %s (err %v): %+v", what, err, es)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func inWindow(e history.Entry, after, before time.Time) bool {
	return !e.Time.Before(after) && !e.Time.After(before)
}

func countKind(es []history.Entry, k history.Kind, after, before time.Time, unwatched bool) int {
	n := 0
	for _, e := range es {
		if e.Kind == k && e.Unwatched == unwatched && inWindow(e, after, before) {
			n += max(e.Count, 1)
		}
	}
	return n
}

// TestHistoryOnRealCluster scales a job, writes a Consul intention and
// stops the job while a collector records; the timeline holds each change
// with its time and subjects, and the model rebuilt as of each moment (and
// the API's ?at= answer) is what Nomad's and Consul's APIs said then. A
// restart on the same data directory finds what changed meanwhile; a store
// cut short (a killed process) and a full disk leave the live model whole
// and say history is unavailable.
func TestHistoryOnRealCluster(t *testing.T) {
	c := examplesCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	dir := t.TempDir()
	t.Cleanup(func() {
		_ = c.Stop(context.Background(), "default", "hist", true)
		_, _ = c.Consul().ConfigEntries().Delete(consulapi.ServiceIntentions, "hist-web", nil)
	})

	r := startRecording(t, c, dir)
	waitEntries(t, r.rec.Timeline, "history starting", history.Query{}, func(es []history.Entry) bool { return len(es) > 0 })
	truths := []histTruth{settleHist(t, c, r.store, "no hist job", 0, "")}

	job, err := c.Run(ctx, "testdata/hist.nomad.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHealthy(ctx, "default", "hist"); err != nil {
		t.Fatal(err)
	}
	truths = append(truths, settleHist(t, c, r.store, "one hist allocation", 1, ""))

	five := 5
	job.TaskGroups[0].Count = &five
	if _, _, err := c.Nomad().Jobs().Register(job, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHealthy(ctx, "default", "hist"); err != nil {
		t.Fatal(err)
	}
	truths = append(truths, settleHist(t, c, r.store, "five hist allocations", 5, ""))

	if _, _, err := c.Consul().ConfigEntries().Set(&consulapi.ServiceIntentionsConfigEntry{
		Kind: consulapi.ServiceIntentions, Name: "hist-web",
		Sources: []*consulapi.SourceIntention{{Name: "app", Action: consulapi.IntentionActionDeny}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	truths = append(truths, settleHist(t, c, r.store, "the intention", 5, "deny"))

	// A job update that replaces every allocation: one grouped entry.
	job.TaskGroups[0].Tasks[0].Env = map[string]string{"HIST_VERSION": "2"}
	if _, _, err := c.Nomad().Jobs().Register(job, nil); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(modelWait); ; time.Sleep(500 * time.Millisecond) {
		tr := readTruth(t, c)
		replaced := len(tr.allocs) == 5
		for id := range tr.allocs {
			if _, old := truths[3].allocs[id]; old {
				replaced = false
			}
		}
		if replaced {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job update never replaced every allocation: %s", tr)
		}
	}
	if err := c.WaitHealthy(ctx, "default", "hist"); err != nil {
		t.Fatal(err)
	}
	truths = append(truths, settleHist(t, c, r.store, "five replaced allocations", 5, "deny"))

	if err := c.Stop(ctx, "default", "hist", false); err != nil {
		t.Fatal(err)
	}
	truths = append(truths, settleHist(t, c, r.store, "hist stopped", 0, "deny"))
	for i, tr := range truths {
		t.Logf("step %d at %s: %s", i, tr.at.Format(time.RFC3339Nano), tr)
	}

	// The timeline: each change, inside the window it happened in; bursts
	// of more than three allocations as one grouped entry.
	q := history.Query{Since: truths[0].at.Add(-time.Minute)}
	es := waitEntries(t, r.rec.Timeline, "every change", q, func(es []history.Entry) bool {
		return countKind(es, history.KindAllocsChanged, truths[4].at, truths[5].at, false) >= 5
	})
	for _, w := range []struct {
		kind     history.Kind
		from, to int
		want     int
	}{
		{history.KindAllocPlaced, 0, 1, 1},
		{history.KindAllocPlaced, 1, 2, 4},
		{history.KindIntentionAdd, 2, 3, 1},
		{history.KindAllocPlaced, 3, 4, 5},
		{history.KindAllocStopped, 4, 5, 5},
	} {
		if got := countKind(es, w.kind, truths[w.from].at, truths[w.to].at, false) + countKind(es, history.KindAllocsChanged, truths[w.from].at, truths[w.to].at, false); got < w.want {
			t.Errorf("%s between steps %d and %d: %d, want %d", w.kind, w.from, w.to, got, w.want)
		}
	}
	for _, e := range es {
		switch e.Kind {
		case history.KindAllocPlaced, history.KindAllocStopped:
			if e.Job == "hist" && (e.Namespace != "default" || e.Group != "web" || e.Alloc == "" || e.Node == "") {
				t.Errorf("subjects missing: %+v", e)
			}
		case history.KindAllocsChanged:
			if e.Job != "hist" || e.Group != "web" || len(e.Allocs) != e.Count {
				t.Errorf("grouped entry: %+v", e)
			}
			if inWindow(e, truths[3].at, truths[4].at) && !strings.Contains(e.Summary, "job hist: 5 allocations replaced, version ") {
				t.Errorf("the job update reads %q", e.Summary)
			}
		case history.KindIntentionAdd:
			if e.Service != "hist-web" || !strings.Contains(e.Summary, "app → hist-web (deny)") {
				t.Errorf("intention entry: %+v", e)
			}
		}
		t.Logf("%s %-20s %s", e.Time.Format("15:04:05.000"), e.Kind, e.Summary)
	}

	// The past: At(t) and the API's ?at= agree with what the APIs said then.
	for i, tr := range truths {
		snap, err := r.rec.At(context.Background(), tr.at)
		if err != nil {
			t.Fatalf("At step %d: %v", i, err)
		}
		if got := modelTruth(snap); got.String() != tr.String() {
			t.Errorf("At(step %d) = %s; the APIs said %s", i, got, tr)
		}
		resp, err := http.Get(r.srv.URL + "/api/v1/topology?job=hist&at=" + url.QueryEscape(tr.at.Format(time.RFC3339Nano)))
		if err != nil {
			t.Fatal(err)
		}
		var top viewmodel.Topology
		err = json.NewDecoder(resp.Body).Decode(&top)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Netviz-As-Of") == "" || len(top.Allocations) != len(tr.allocs) {
			t.Errorf("?at= step %d: %d, %d allocations (want %d), %v", i, resp.StatusCode, len(top.Allocations), len(tr.allocs), err)
		}
	}

	checkDiffPicture(t, r.srv.URL, truths[1], truths[2], truths[4], truths[5])

	// Restart: netviz is away while the job runs again and the intention goes.
	r.stop()
	if _, err := c.Run(ctx, "testdata/hist.nomad.hcl"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHealthy(ctx, "default", "hist"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Consul().ConfigEntries().Delete(consulapi.ServiceIntentions, "hist-web", nil); err != nil {
		t.Fatal(err)
	}
	r2 := startRecording(t, c, dir)
	es = waitEntries(t, r2.rec.Timeline, "what changed while not watching", history.Query{Since: truths[5].at}, func(es []history.Entry) bool {
		return countKind(es, history.KindAllocPlaced, truths[5].at, time.Now(), true) >= 1 &&
			countKind(es, history.KindIntentionDel, truths[5].at, time.Now(), true) == 1
	})
	// A burst's entries come once it has been quiet for 5 s: wait that long
	// before looking for allocation changes that should not be there.
	time.Sleep(8 * time.Second)
	es, err = r2.rec.Timeline(context.Background(), history.Query{Since: truths[5].at})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		t.Logf("after the restart: %s %-20s %s (unwatched %v)", e.Time.Format("15:04:05.000"), e.Kind, e.Summary, e.Unwatched)
		if e.Job == "hist" && (e.Kind == history.KindAllocsChanged || e.Kind == history.KindAllocStopped || e.Kind == history.KindAllocPlaced && !e.Unwatched) {
			t.Errorf("the restart's first read recorded an allocation change that did not happen: %+v", e)
		}
	}
	if n := countKind(es, history.KindAllocPlaced, truths[5].at, time.Now(), true); n != 1 {
		t.Errorf("%d allocations placed while not watching; one was", n)
	}
	if old, _ := r2.rec.Timeline(context.Background(), q); countKind(old, history.KindIntentionAdd, truths[2].at, truths[3].at, false) != 1 {
		t.Error("the history from before the restart is gone")
	}
	if snap, err := r2.rec.At(context.Background(), truths[2].at); err != nil || modelTruth(snap).String() != truths[2].String() {
		t.Errorf("after the restart, At(step 2) = %v, %v", snap, err)
	}
	live := settleHist(t, c, r2.store, "hist running again", 1, "")
	r2.stop()

	// A killed process that left the store cut short.
	path := filepath.Join(dir, record.FileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	r3 := startRecording(t, c, dir)
	unavailable(t, r3, live)
	r3.stop()

	// A disk that fills while netviz records: a small tmpfs (as root),
	// filled up once recording runs, then a change to record. Without
	// root, a data directory that cannot be created stands in.
	full := filepath.Join(t.TempDir(), "full")
	if err := os.Mkdir(full, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", full).CombinedOutput(); err != nil {
		t.Logf("no tmpfs (%v: %s): using a data directory under a regular file", err, out)
		if err := os.WriteFile(filepath.Join(full, "file"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		unavailable(t, startRecording(t, c, filepath.Join(full, "file", "netviz")), live)
		return
	}
	t.Cleanup(func() { _ = exec.Command("umount", full).Run() })
	r4 := startRecording(t, c, full)
	waitEntries(t, r4.rec.Timeline, "history starting on the tmpfs", history.Query{}, func(es []history.Entry) bool { return len(es) > 0 })
	fillDisk(t, filepath.Join(full, "filler"))
	if err := c.Stop(ctx, "default", "hist", false); err != nil {
		t.Fatal(err)
	}
	unavailable(t, r4, settleHist(t, c, r4.store, "hist stopped on a full disk", 0, ""))
}

// fillDisk writes path until the file system is full.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Big writes, then smaller ones, so not even a page is left.
	for _, n := range []int{64 << 10, 4 << 10, 512, 1} {
		buf := make([]byte, n)
		var err error
		for err == nil {
			_, err = f.Write(buf)
		}
		if n == 1 {
			t.Logf("disk full: %v", err)
		}
	}
}

// unavailable checks a recorder that cannot use its store: history says
// why in the model's status, and the live model is complete.
func unavailable(t *testing.T, r *recording, live histTruth) {
	t.Helper()
	s, _ := waitModel(t, r.store, "history unavailable and the live picture", func(s *model.Snapshot) error {
		if st := s.Status().History; st.State != model.StateDown || !strings.Contains(st.Error, "history unavailable") || st.Since.IsZero() {
			return fmt.Errorf("history status %+v", st)
		}
		if got := modelTruth(s); got.String() != live.String() {
			return fmt.Errorf("live model %s, want %s", got, live)
		}
		return nil
	})
	t.Logf("history: %s (since %s)", s.Status().History.Error, s.Status().History.Since.Format(time.RFC3339))
	resp, err := http.Get(r.srv.URL + "/api/v1/overview")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("live overview: %d", resp.StatusCode)
	}
}
