//go:build scale

package scale

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
	"golang.org/x/sync/errgroup"
)

var (
	allocsFlag = flag.Int("scale.allocs", 7000, "mock_driver allocations to run, in jobs of -scale.per-job")
	perJobFlag = flag.Int("scale.per-job", 100, "allocations per job")
	floorsFlag = flag.Int("scale.floors", 3, "times the floor (Nomad's lists, read and decoded) is measured")
	consulFlag = flag.Bool("scale.consul", false, "give the collector the cluster's Consul too (it holds no services: they are Nomad-native)")
	bufferFlag = flag.Int("scale.event-buffer", 0, "the Nomad server's event_buffer_size (0: Nomad's default, 100 raft indexes' worth of events)")
)

const (
	// settleTimeout bounds each wait for Nomad to place every allocation
	// (~80 a second on the measuring machine, docs/nomad-behaviour.md).
	settleTimeout = 20 * time.Minute
	// stuckAfter fails a wait in which the running count did not move.
	stuckAfter = 3 * time.Minute
	// modelTimeout bounds the wait for the live model to hold what Nomad
	// settled on, and then to equal a fresh sync.
	modelTimeout = 5 * time.Minute
	// equalTimeout bounds the comparisons with fresh syncs once Nomad has
	// settled (anti-entropy runs every 5 minutes: one round fits).
	equalTimeout = 7 * time.Minute
	// allocStatuses are the client statuses of an allocation that is not
	// terminal (the model holds exactly these).
	allocStatuses = `ClientStatus == "pending" or ClientStatus == "running" or ClientStatus == "unknown"`
)

// scaleRun is one run of the harness.
type scaleRun struct {
	t      *testing.T
	c      *devcluster.Cluster
	jobs   map[string]int // job ID → allocations
	total  int
	pid    int // the Nomad agent's
	mu     sync.Mutex
	report []string
}

// printf adds a line to the report (and logs it as it comes).
func (r *scaleRun) printf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	r.mu.Lock()
	r.report = append(r.report, line)
	r.mu.Unlock()
	r.t.Log(line)
}

// TestScale starts a Nomad dev agent readied for scale, places
// -scale.allocs mock_driver allocations, measures the floor against
// netviz's initial sync, updates every job at once while the collector
// follows, and checks the status never read down and the live model ends
// equal to a fresh sync. See the package doc and docs/perf.md.
func TestScale(t *testing.T) {
	total, per := *allocsFlag, *perJobFlag
	if total <= 0 || per <= 0 {
		t.Fatalf("-scale.allocs and -scale.per-job must be positive")
	}
	if 2*total+2000 > 65535-devcluster.ScaleMinPort {
		t.Fatalf("-scale.allocs %d: an update needs two dynamic ports per allocation, from %d-65535", total, devcluster.ScaleMinPort)
	}
	r, ctx, cancel := newScaleRun(t, total, per)
	defer cancel()
	r.printf("command: go test -tags scale -run 'TestScale$' -v -count=1 ./internal/scale/ -scale.allocs=%d -scale.per-job=%d -scale.floors=%d -scale.consul=%v -scale.event-buffer=%d",
		total, per, *floorsFlag, *consulFlag, *bufferFlag)

	r.startPlaced(ctx, devcluster.Options{ScaleAllocs: total, EventBufferSize: *bufferFlag})
	c := r.c

	// The floor.
	for i := range *floorsFlag {
		f, err := readFloor(ctx, c.NomadAddr)
		if err != nil {
			t.Fatalf("floor: %v", err)
		}
		r.printf("floor %d: %s, %s received (%s of JSON; decoding %s, summed over parallel requests); allocation list %s of JSON, %d allocations, received in %s, decoded in %s; %d job specs; %d service reads, %d instances",
			i+1, f.took.Round(time.Millisecond), mb(f.bytes), mb(f.jsonBytes), f.decode.Round(time.Millisecond), mb(f.allocBytes), f.allocs,
			f.allocFetch.Round(time.Millisecond), f.allocDecode.Round(time.Millisecond), f.jobs, f.serviceReads, f.services)
	}

	// netviz's collector, following the cluster.
	rec := newRecorder(os.Stderr, slog.String("collector", "live"))
	ncfg, ccfg := c.APIConfigs()
	cfg := collector.Config{Nomad: ncfg, Logger: slog.New(rec)}
	if *consulFlag {
		cfg.Consul = ccfg
	}
	col, err := collector.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	store := col.Store()
	runCtx, stop := context.WithCancel(ctx)
	watch := watchStates(runCtx, store)
	done := make(chan error, 1)
	cpu0, runStart := cpuSelf(), time.Now()
	go func() { done <- col.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("collector Run: %v", err)
			}
		case <-time.After(time.Minute):
			t.Errorf("collector Run did not return within a minute of its context ending")
		}
		col.Close()
	})
	synced, err := rec.wait(ctx, 0, "nomad: synced")
	if err != nil {
		t.Fatal(err)
	}
	syncCPU := cpuSelf() - cpu0
	r.printf("netviz initial sync (its log): %s, %s received; %d allocations, %d nodes, %d services; process CPU from Run to the log %s",
		synced.dur("took").Round(time.Millisecond), mb(synced.int("bytes")), synced.int("allocations"), synced.int("nodes"), synced.int("services"),
		syncCPU.Round(time.Millisecond))
	if err := waitModel(ctx, store, func(s *model.Snapshot) bool {
		a, _, _ := modelCounts(s)
		return s.Status().Nomad.State == model.StateConnected && a == total
	}); err != nil {
		t.Fatalf("the model never held the %d allocations: %v", total, err)
	}
	r.printf("model published with every allocation %s after Run started", time.Since(runStart).Round(time.Millisecond))
	r.heap("after the sync")

	// A second, standalone full sync, and the model checked against it.
	fresh, fsync, err := r.freshSync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r.printf("fresh col.Sync before the burst: %s, %s received", fsync.dur("took").Round(time.Millisecond), mb(fsync.int("bytes")))
	if err := r.tracedSync(ctx); err != nil {
		t.Errorf("traced sync: %v", err)
	}
	// Nomad may still be recording the last placements (a client update
	// moves an allocation's ModifyIndex): compare again a few times.
	for attempt := 1; ; attempt++ {
		n, diff := compareModels(store.Snapshot(), fresh)
		if n == 0 {
			break
		}
		if attempt == 4 {
			t.Errorf("before the burst the live model differs from a fresh sync in %d objects:\n%s", n, strings.Join(diff, "\n"))
			r.explain(ctx, diff)
			break
		}
		r.printf("before the burst, attempt %d: %d objects differ (%s); comparing again in 15 s", attempt, n, diff[0])
		time.Sleep(15 * time.Second)
		if fresh, _, err = r.freshSync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	fresh = nil

	// The bursts: every job updated at once, first replacing every
	// allocation (a meta change), then in place (a service tag).
	var recs []logRec
	for _, b := range []burst{
		{name: "replace", what: "meta changed: every allocation replaced", version: 1, replaced: 1, rev: "1"},
		{name: "in-place", what: "service tag changed: every allocation updated in place", version: 2, replaced: 1, rev: "1", tag: "v2"},
	} {
		recs = append(recs, r.burst(ctx, store, rec, watch, b)...)
	}
	watch.setPhase("after")

	st := store.Snapshot().Status().Nomad
	r.printf("final status: %s; catch_ups %d, drop_burst %d, divergences %d", st.State, st.CatchUps, st.DropBurst, st.Divergences)
	watch.mu.Lock()
	r.printf("status watcher: %d deltas, %d read at their own version, %d collapsed (watcher behind)", watch.deltas, watch.exact, watch.full)
	for _, tr := range watch.transitions {
		r.printf("  %s [%s] %s → %s (version %d) %s", tr.at.Format("15:04:05.000"), tr.phase, tr.from, tr.to, tr.version, clip(tr.reason))
	}
	watch.mu.Unlock()
	if n := watch.seen(model.StateDown); n > 0 {
		t.Errorf("the model's Nomad status read down on %d deltas", n)
	}
	for _, rec := range recs {
		if strings.HasPrefix(rec.msg, "nomad: read failed") {
			t.Errorf("a read failed during a burst (the status then reads down): %s", rec.str("err"))
		}
	}
	stop()
	fmt.Printf("\n=== scale report ===\n%s\n=== end ===\n", strings.Join(r.report, "\n"))
}

// newScaleRun readies a run of total allocations in jobs of per, and
// returns it with a context that ends before the test's deadline, leaving
// the teardown time to purge and unmount. It prints the date and machine.
func newScaleRun(t *testing.T, total, per int) (*scaleRun, context.Context, context.CancelFunc) {
	deadline, ok := t.Deadline()
	if !ok {
		deadline = time.Now().Add(60 * time.Minute)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline.Add(-6*time.Minute))
	r := &scaleRun{t: t, total: total, jobs: map[string]int{}}
	for i := 0; i*per < total; i++ {
		r.jobs[fmt.Sprintf("scale-%03d", i)] = min(per, total-i*per)
	}
	r.printf("date %s; %s; %s", time.Now().UTC().Format("2006-01-02 15:04 MST"), machine(), runtime.Version())
	return r, ctx, cancel
}

// startPlaced starts the cluster (closed when the test ends), places
// every allocation of r.jobs and waits for their services.
func (r *scaleRun) startPlaced(ctx context.Context, opts devcluster.Options) {
	t := r.t
	c, err := devcluster.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	t.Cleanup(r.teardown)
	r.pid = agentPID(c.Dir)
	if err := waitMockDriver(ctx, c); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := r.register(ctx, "0", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.waitSettled(ctx, 0, 0); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	r.printf("placed %d allocations in %d jobs of %d in %s (%.0f a second); Nomad agent RSS %s, CPU %s so far; load %s",
		r.total, len(r.jobs), *perJobFlag, took.Round(time.Second), float64(r.total)/took.Seconds(), mb(procRSS(r.pid)), procCPU(r.pid).Round(time.Second), loadAvg())
	// Let the client finish registering services before anything is timed.
	if err := r.waitServices(ctx); err != nil {
		t.Fatal(err)
	}
}

// burst is one update of every job at once.
type burst struct {
	name, what string
	// version is the job version the update makes; replaced how many times
	// each job's allocations have been replaced once it is done (the job
	// summary then counts that many times the count as complete).
	version  uint64
	replaced int
	// rev is the job meta's value, tag the service's tag ("" for none).
	rev, tag string
}

// burst updates every job at once, waits for Nomad to settle and for the
// model to follow, and reports what the collector went through; then the
// live model must equal a fresh sync. It returns the collector's log of
// the burst.
func (r *scaleRun) burst(ctx context.Context, store *model.Store, rec *recorder, watch *stateWatch, b burst) []logRec {
	t := r.t
	watch.setPhase(b.name)
	_, mark := rec.since(0)
	cpu0, agent0 := cpuSelf(), procCPU(r.pid)
	sctx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	samples := r.sampleIndex(sctx)
	syncs := r.syncDuring(sctx)
	t0 := time.Now()
	if err := r.register(ctx, b.rev, b.tag); err != nil {
		t.Fatal(err)
	}
	regTook := time.Since(t0)
	ids, err := r.waitSettled(ctx, b.version, b.replaced)
	if err != nil {
		t.Fatal(err)
	}
	settledAt := time.Now()
	nomadTook := settledAt.Sub(t0)
	err = waitModel(ctx, store, func(s *model.Snapshot) bool {
		if s.Status().Nomad.State != model.StateConnected {
			return false
		}
		allocs := s.Allocations()
		if len(allocs) != len(ids) {
			return false
		}
		for _, a := range allocs {
			if !ids[a.ID] || a.JobVersion != b.version {
				return false
			}
		}
		return true
	})
	modelTook := time.Since(t0)
	cpuBurst, agentBurst := cpuSelf()-cpu0, procCPU(r.pid)-agent0
	stopSampling()
	during := <-syncs
	p50, p90, worst, never := watch.lagBehind(<-samples)
	watch.setPhase(b.name + ", settled")
	if err != nil {
		t.Errorf("burst %s: the model never held the allocations Nomad settled on: %v", b.name, err)
	}
	r.printf("burst %s (%s): %d jobs registered in %s; Nomad settled (every allocation at version %d and running) %s after the first write; the model held exactly those, connected, %s after it",
		b.name, b.what, len(r.jobs), regTook.Round(time.Millisecond), b.version, nomadTook.Round(time.Second), modelTook.Round(time.Millisecond))
	r.printf("CPU during burst %s (first write to model caught up, %s): this process %s (%.2f cores), the Nomad agent %s; Nomad agent RSS now %s; load %s",
		b.name, modelTook.Round(time.Second), cpuBurst.Round(time.Millisecond), cpuBurst.Seconds()/modelTook.Seconds(), agentBurst.Round(time.Second), mb(procRSS(r.pid)), loadAvg())
	r.printf("model behind Nomad during burst %s (Nomad's allocation index sampled every second, until the model reached it): median %s, 90th percentile %s, worst %s; %d samples never reached",
		b.name, p50.Round(time.Millisecond), p90.Round(time.Millisecond), worst.Round(time.Millisecond), never)
	recs, _ := rec.since(mark)
	catchUps := r.reportBurst(recs)
	r.compareDuring(b.name, catchUps, during)
	r.printf("states of the model's Nomad status seen during burst %s: %s", b.name, watch.states(b.name))
	r.heap("after burst " + b.name)

	// After Nomad settles, the live model must equal a fresh sync.
	for attempt := 1; ; attempt++ {
		fresh, fsync, err := r.freshSync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n, diff := compareModels(store.Snapshot(), fresh)
		fa, fn, fs := modelCounts(fresh)
		r.printf("fresh col.Sync %d after burst %s: %s, %s received; %d allocations, %d nodes, %d Nomad services; %d objects differ from the live model",
			attempt, b.name, fsync.dur("took").Round(time.Millisecond), mb(fsync.int("bytes")), fa, fn, fs, n)
		if attempt == 1 {
			for _, c := range catchUps {
				r.printf("  catch-up at %s against this full sync: %.2f× the bytes, %.2f× the time",
					c.at.Format("15:04:05.000"), float64(c.int("bytes"))/float64(max(fsync.int("bytes"), 1)), c.dur("took").Seconds()/max(fsync.dur("took").Seconds(), 1e-9))
			}
		}
		if n == 0 {
			r.printf("live model equal to a fresh sync after burst %s (allocations, nodes, Nomad services, by content), checked %s after Nomad settled",
				b.name, time.Since(settledAt).Round(time.Millisecond))
			break
		}
		r.printf("differences:\n%s", strings.Join(diff, "\n"))
		r.explain(ctx, diff)
		if time.Since(settledAt) > equalTimeout || ctx.Err() != nil {
			t.Errorf("burst %s: the live model did not equal a fresh sync within %s of Nomad settling", b.name, equalTimeout)
			break
		}
		time.Sleep(15 * time.Second)
	}
	return recs
}

// sampleIndex reads Nomad's allocation index (a one-entry page of the
// list) every second until ctx ends, then sends what it read.
func (r *scaleRun) sampleIndex(ctx context.Context) <-chan []indexMark {
	out := make(chan []indexMark, 1)
	go func() {
		var marks []indexMark
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			q := (&nomadapi.QueryOptions{PerPage: 1, Params: map[string]string{"task_states": "false"}}).WithContext(ctx)
			at := time.Now()
			if _, meta, err := r.c.Nomad().Allocations().List(q); err == nil {
				marks = append(marks, indexMark{at, meta.LastIndex})
			}
			select {
			case <-ctx.Done():
				out <- marks
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// explain prints what Nomad itself says of the first allocations that
// differ: the single read and the list's stub.
func (r *scaleRun) explain(ctx context.Context, diff []string) {
	shown := 0
	for _, d := range diff {
		kind, rest, ok := strings.Cut(d, ":")
		if !ok || shown == 3 || !slices.Contains([]string{"different", "only live", "only fresh"}, kind) {
			continue
		}
		if _, rest, ok = strings.Cut(rest, "alloc "); !ok {
			continue
		}
		id, _, _ := strings.Cut(rest, " ")
		id, _, _ = strings.Cut(id, "\n")
		shown++
		a, _, err := r.c.Nomad().Allocations().Info(id, (&nomadapi.QueryOptions{}).WithContext(ctx))
		if err != nil {
			r.printf("  nomad: allocation %s: %v", id, err)
			continue
		}
		jobVersion := uint64(0)
		if a.Job != nil && a.Job.Version != nil {
			jobVersion = *a.Job.Version
		}
		q := (&nomadapi.QueryOptions{Filter: fmt.Sprintf("ID == %q", id), Params: map[string]string{"task_states": "false"}}).WithContext(ctx)
		stubs, _, err := r.c.Nomad().Allocations().List(q)
		stub := "?"
		if err == nil && len(stubs) == 1 {
			stub = fmt.Sprintf("ModifyIndex %d, JobVersion %d", stubs[0].ModifyIndex, stubs[0].JobVersion)
		}
		r.printf("  nomad: allocation %s: read: ModifyIndex %d, AllocModifyIndex %d, CreateIndex %d, client %s, job version %d; list stub: %s",
			id, a.ModifyIndex, a.AllocModifyIndex, a.CreateIndex, a.ClientStatus, jobVersion, stub)
	}
}

// reportBurst summarises what the collector logged during a burst and
// returns its catch-ups.
func (r *scaleRun) reportBurst(recs []logRec) []logRec {
	var out []logRec
	drops, catchUps, ended := 0, 0, 0
	var read, bytes int64
	var took time.Duration
	for _, rec := range recs {
		switch {
		case strings.HasPrefix(rec.msg, "nomad: event stream dropped"):
			drops++
			r.printf("  %s drop: %q, %d events in the last minute", rec.at.Format("15:04:05.000"), rec.str("nomad"), rec.int("events_last_minute"))
		case strings.HasPrefix(rec.msg, "nomad: caught up"):
			catchUps++
			out = append(out, rec)
			read += rec.int("allocations_read")
			bytes += rec.int("bytes")
			took += rec.dur("took")
			r.printf("  %s catch-up: %d allocations converted (new or changed) of %d, %d keys changed, %s received, %s",
				rec.at.Format("15:04:05.000"), rec.int("allocations_read"), rec.int("allocations"), rec.int("keys_changed"), mb(rec.int("bytes")), rec.dur("took").Round(time.Millisecond))
		case strings.HasPrefix(rec.msg, "nomad: event stream"), strings.HasPrefix(rec.msg, "nomad: read failed"), strings.Contains(rec.msg, "anti-entropy"):
			ended++
			r.printf("  %s %s %v", rec.at.Format("15:04:05.000"), rec.msg, rec.attrs)
		case rec.level >= slog.LevelWarn:
			r.printf("  %s %s %v", rec.at.Format("15:04:05.000"), rec.msg, rec.attrs)
		}
	}
	r.printf("during the burst: %d stream drops by Nomad, %d catch-ups (%d allocations converted, %s received, %s in all), %d other stream ends or failures",
		drops, catchUps, read, mb(bytes), took.Round(time.Millisecond), ended)
	return out
}

// heap logs the heap in use after a collection.
func (r *scaleRun) heap(when string) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.printf("heap %s (whole test process, after a GC): %s in use, %s live objects", when, mb(int64(ms.HeapInuse)), mb(int64(ms.HeapAlloc)))
}

// freshSync reads Nomad once with a new collector (Sync, as netviz dump
// does) and returns its model and its "synced" log record.
func (r *scaleRun) freshSync(ctx context.Context) (*model.Snapshot, logRec, error) {
	rec := newRecorder(os.Stderr, slog.String("collector", "fresh"))
	ncfg, _ := r.c.APIConfigs()
	col, err := collector.New(collector.Config{Nomad: ncfg, Logger: slog.New(rec), AntiEntropy: -1})
	if err != nil {
		return nil, logRec{}, err
	}
	defer col.Close()
	if err := col.Sync(ctx); err != nil {
		return nil, logRec{}, err
	}
	synced, err := rec.wait(ctx, 0, "nomad: synced")
	return col.Store().Snapshot(), synced, err
}

// register registers every job with meta rev and, unless "", the service
// tag tag, eight at a time.
func (r *scaleRun) register(ctx context.Context, rev, tag string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for id, n := range r.jobs {
		g.Go(func() error {
			job := devcluster.ScaleJob(id, n, map[string]string{"rev": rev})
			if tag != "" {
				job.TaskGroups[0].Services[0].Tags = []string{tag}
			}
			if _, _, err := r.c.Nomad().Jobs().Register(job, (&nomadapi.WriteOptions{}).WithContext(gctx)); err != nil {
				return fmt.Errorf("register %s: %w", id, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// waitSettled waits until every job is at version and every allocation
// Nomad holds that is not terminal is running that version (the old ones
// stopped, replaced times in all), and returns their IDs.
func (r *scaleRun) waitSettled(ctx context.Context, version uint64, replaced int) (map[string]bool, error) {
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	q := (&nomadapi.QueryOptions{}).WithContext(ctx)
	lastRunning, moved, logged := -1, time.Now(), time.Now()
	var lastIndex uint64
	for {
		stubs, _, err := r.c.Nomad().Jobs().List(q)
		if err == nil {
			var running, starting, queued, failed, seen int
			ready := true
			for _, s := range stubs {
				want, ok := r.jobs[s.ID]
				if !ok {
					continue
				}
				seen++
				var sum nomadapi.TaskGroupSummary
				if s.JobSummary != nil {
					sum = s.JobSummary.Summary["app"]
				}
				running, starting, queued, failed = running+sum.Running, starting+sum.Starting, queued+sum.Queued, failed+sum.Failed
				// After an update the old allocations count as complete;
				// settledAllocs then checks the versions.
				if sum.Running != want || sum.Starting != 0 || sum.Queued != 0 || sum.Complete < replaced*want {
					ready = false
				}
			}
			if seen != len(r.jobs) {
				ready = false
			}
			if running != lastRunning {
				lastRunning, moved = running, time.Now()
			}
			if time.Since(logged) > 15*time.Second {
				logged = time.Now()
				r.t.Logf("version %d: %d running, %d starting, %d queued, %d failed; load %s", version, running, starting, queued, failed, loadAvg())
			}
			// The allocation index moves with every placement and
			// in-place update, which the running count does not show.
			left, index := r.oldAllocLeft(ctx, version)
			if index != lastIndex {
				lastIndex, moved = index, time.Now()
			}
			if ready && !left {
				ids, err := r.settledAllocs(ctx, version)
				if err != nil {
					return nil, err
				}
				if ids != nil {
					return ids, nil
				}
			}
			if time.Since(moved) > stuckAfter {
				return nil, fmt.Errorf("version %d: no progress (running count and allocation index unchanged) for %s: %d running, %d starting, %d queued, %d failed", version, stuckAfter, running, starting, queued, failed)
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("version %d: Nomad did not settle: %w (last: %v)", version, ctx.Err(), err)
		case <-time.After(2 * time.Second):
		}
	}
}

// oldAllocLeft asks Nomad for one allocation that is not terminal and not
// at version, a cheap question to ask every two seconds during a burst,
// and returns the answer and Nomad's allocation index. (Nomad filters the
// full allocation, where the version is Job.Version; the list's stub field
// JobVersion is unknown to the filter.)
func (r *scaleRun) oldAllocLeft(ctx context.Context, version uint64) (bool, uint64) {
	q := (&nomadapi.QueryOptions{PerPage: 1, Filter: fmt.Sprintf("(%s) and Job.Version != %d", allocStatuses, version),
		Params: map[string]string{"task_states": "false"}}).WithContext(ctx)
	allocs, meta, err := r.c.Nomad().Allocations().List(q)
	if err != nil {
		// Let settledAllocs decide.
		r.t.Logf("asking for an allocation not at version %d: %v", version, err)
		return false, 0
	}
	return len(allocs) > 0, meta.LastIndex
}

// settledAllocs returns the IDs of the allocations that are not terminal
// when they are exactly total, all running version; nil while not.
func (r *scaleRun) settledAllocs(ctx context.Context, version uint64) (map[string]bool, error) {
	q := (&nomadapi.QueryOptions{Filter: allocStatuses, Params: map[string]string{"task_states": "false"}}).WithContext(ctx)
	allocs, _, err := r.c.Nomad().Allocations().List(q)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, a := range allocs {
		if a.JobVersion != version || a.ClientStatus != "running" || a.DesiredStatus != "run" {
			return nil, nil
		}
		ids[a.ID] = true
	}
	if len(ids) != r.total {
		return nil, nil
	}
	return ids, nil
}

// waitServices waits until Nomad lists one service instance per allocation.
func (r *scaleRun) waitServices(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, modelTimeout)
	defer cancel()
	for {
		n := 0
		lists, _, err := r.c.Nomad().Services().List((&nomadapi.QueryOptions{Namespace: "*"}).WithContext(ctx))
		if err == nil {
			for _, l := range lists {
				for _, s := range l.Services {
					regs, _, err := r.c.Nomad().Services().Get(s.ServiceName, (&nomadapi.QueryOptions{Namespace: l.Namespace}).WithContext(ctx))
					if err == nil {
						n += len(regs)
					}
				}
			}
			if n == r.total {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d service instances registered: %w", n, r.total, ctx.Err())
		case <-time.After(2 * time.Second):
		}
	}
}

// waitMockDriver waits until the node reports mock_driver healthy.
func waitMockDriver(ctx context.Context, c *devcluster.Cluster) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	q := (&nomadapi.QueryOptions{}).WithContext(ctx)
	for {
		nodes, _, err := c.Nomad().Nodes().List(q)
		if err == nil && len(nodes) > 0 {
			n, _, err := c.Nomad().Nodes().Info(nodes[0].ID, q)
			if err == nil && n.Drivers["mock_driver"] != nil && n.Drivers["mock_driver"].Healthy {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("mock_driver not healthy on the node: %w", ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

// waitModel waits until cond holds for the store's snapshot.
func waitModel(ctx context.Context, store *model.Store, cond func(*model.Snapshot) bool) error {
	ctx, cancel := context.WithTimeout(ctx, modelTimeout)
	defer cancel()
	deltas := store.Subscribe(ctx)
	for {
		if cond(store.Snapshot()) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deltas:
		case <-time.After(time.Second):
		}
	}
}

// teardown purges every job, waits (bounded) for the client to stop the
// tasks, closes the cluster and checks nothing is left mounted or on disk.
func (r *scaleRun) teardown() {
	t := r.t
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	w := (&nomadapi.WriteOptions{}).WithContext(ctx)
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range r.jobs {
			if !yield(id) {
				return
			}
		}
	})
	for _, id := range ids {
		if _, _, err := r.c.Nomad().Jobs().Deregister(id, true, w); err != nil {
			t.Logf("teardown: purge %s: %v", id, err)
		}
	}
	q := (&nomadapi.QueryOptions{Filter: allocStatuses, Params: map[string]string{"task_states": "false"}}).WithContext(ctx)
	left := -1
	for ctx.Err() == nil {
		allocs, _, err := r.c.Nomad().Allocations().List(q)
		if err == nil {
			if left = len(allocs); left == 0 {
				break
			}
		}
		time.Sleep(3 * time.Second)
	}
	stopped := time.Since(start)
	dir := r.c.Dir
	err := r.c.Close()
	mounts := mountsUnder(dir)
	_, statErr := os.Stat(dir)
	t.Logf("teardown: jobs purged and %d allocations left running after %s; cluster closed %s later; %d mounts left under %s; directory removed: %v",
		max(left, 0), stopped.Round(time.Second), (time.Since(start) - stopped).Round(time.Second), mounts, dir, os.IsNotExist(statErr))
	if err != nil {
		t.Errorf("cluster close: %v", err)
	}
	if mounts != 0 || !os.IsNotExist(statErr) {
		t.Errorf("the cluster left %d mounts or its directory (%v) behind", mounts, statErr)
	}
}
