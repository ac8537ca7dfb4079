//go:build integration

package collector_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/netviz/netviz/collector"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
	"github.com/netviz/netviz/views/viewmodel"
)

// The churn oracle's size. `make test` runs the short version; the long one
// is `go test -tags integration -run TestChurnOracle ./collector/ -churn.ops=60
// -churn.freeze=2 -timeout 60m` (docs/reliability.md).
var (
	churnOps    = flag.Int("churn.ops", 8, "random operations the churn oracle runs")
	churnFreeze = flag.Int("churn.freeze", 1, "times the churn oracle freezes Nomad for 40 s")
	churnSeed   = flag.Uint64("churn.seed", 0, "seed of the churn oracle's choices (0: from the clock)")
)

// freezeFor is how long Nomad is frozen: longer than the 30 s after which
// a silent stream must be shown stale.
const freezeFor = 40 * time.Second

// TestChurnOracle runs random operations against the real cluster while a
// collector follows it. After each operation, once the cluster is quiet,
// the live model must equal what a fresh sync reads: 0 differences. A
// frozen Nomad (SIGSTOP: a real half-open stream) must show as stale
// within 30 s and connected after it thaws. Anti-entropy runs every 15 s
// throughout and must find nothing.
func TestChurnOracle(t *testing.T) {
	c := examplesCluster(t)
	seed := *churnSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("churn seed %d (rerun with -churn.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	store := runCollector(t, c, func(cfg *collector.Config) { cfg.AntiEntropy = 15 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Minute)
	defer cancel()

	// A second node for the drain: the live job prefers it, so draining it
	// moves allocations to the first node (the examples stay there). It
	// stays in the cluster afterwards, ineligible, so the tests after this
	// one place nothing on it: a purged node can come back in the model
	// after a Nomad restart (docs/reliability.md, "Open").
	// Its own Consul agent: two Nomad clients sharing one remove each
	// other's Consul services (devcluster.ClientOptions).
	if _, err := c.StartClientWith(ctx, drainNode, devcluster.ClientOptions{OwnConsul: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := setEligible(c, false); err != nil {
			t.Errorf("make %s ineligible: %v", drainNode, err)
		}
	})
	job, err := c.Run(ctx, "testdata/live.nomad.hcl")
	if err != nil {
		t.Fatal(err)
	}
	preferSecondNode(job)
	if _, _, err := c.Nomad().Jobs().Register(job, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHealthy(ctx, "default", "live"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Stop(context.Background(), "default", "live", true)
		_, _ = c.Consul().ConfigEntries().Delete(consulapi.ServiceIntentions, "live-web", nil)
	})
	ops := churnOperations(c, job, t.Logf)
	var converge []time.Duration
	check := func(what string) {
		t.Helper()
		took, err := settle(ctx, t, c, store)
		if err != nil {
			t.Fatalf("after %s: %v", what, err)
		}
		converge = append(converge, took)
		t.Logf("%-22s converged in %s", what, took.Round(10*time.Millisecond))
	}
	check("start")
	freezeAt := map[int]bool{}
	for range *churnFreeze {
		freezeAt[rng.IntN(max(*churnOps, 1))] = true
	}
	for i := range *churnOps {
		if freezeAt[i] {
			freezeNomad(ctx, t, c, store)
			check("freeze 40 s")
		}
		op := ops[rng.IntN(len(ops))]
		if err := op.run(ctx, rng); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		check(op.name)
	}
	if d := store.Snapshot().Status().Nomad.Divergences; d != 0 {
		t.Errorf("anti-entropy found %d divergences during churn; want 0", d)
	}
	slices.Sort(converge)
	t.Logf("%d quiescent points, 0 differences; convergence p50 %s, p99 %s", len(converge),
		converge[len(converge)/2].Round(10*time.Millisecond), converge[len(converge)*99/100].Round(10*time.Millisecond))
}

// churnOp is one kind of change the oracle makes.
type churnOp struct {
	name string
	run  func(context.Context, *rand.Rand) error
}

// drainNode is the second node's name: the live job prefers it, and the
// "node drain" operation drains it.
const drainNode = "churn-b"

// preferSecondNode gives the live job an affinity for drainNode and a
// migrate block that moves all its allocations at once after 1 s of health
// (Nomad's default waits 10 s per allocation).
func preferSecondNode(job *nomadapi.Job) {
	weight, parallel, healthy := int8(100), 3, time.Second
	job.Affinities = []*nomadapi.Affinity{{LTarget: "${node.unique.name}", RTarget: drainNode, Operand: "=", Weight: &weight}}
	job.TaskGroups[0].Migrate = &nomadapi.MigrateStrategy{MaxParallel: &parallel, MinHealthyTime: &healthy}
}

// churnOperations are the changes an operator (or a failure) makes: scale,
// update, stop/start, restart an allocation, write or delete an intention,
// restart Consul or Nomad, drain a node. Each returns once the cluster has
// settled.
func churnOperations(c *devcluster.Cluster, job *nomadapi.Job, logf func(string, ...any)) []churnOp {
	jobs := c.Nomad().Jobs()
	healthy := func(ctx context.Context) error { return c.WaitHealthy(ctx, "default", "live") }
	register := func(ctx context.Context) error {
		if _, _, err := jobs.Register(job, nil); err != nil {
			return err
		}
		return healthy(ctx)
	}
	return []churnOp{
		{"scale", func(ctx context.Context, rng *rand.Rand) error {
			count := 1 + rng.IntN(3)
			job.TaskGroups[0].Count = &count
			return register(ctx)
		}},
		{"job update", func(ctx context.Context, rng *rand.Rand) error {
			job.Meta = map[string]string{"churn": fmt.Sprint(rng.Uint32())}
			return register(ctx)
		}},
		{"stop and start", func(ctx context.Context, _ *rand.Rand) error {
			if err := c.Stop(ctx, "default", "live", false); err != nil {
				return err
			}
			if err := waitNoAllocs(ctx, c); err != nil {
				return err
			}
			return register(ctx)
		}},
		{"alloc restart", func(ctx context.Context, _ *rand.Rand) error {
			allocs, _, err := jobs.Allocations("live", false, nil)
			if err != nil {
				return err
			}
			for _, a := range allocs {
				if a.ClientStatus == "running" {
					full, _, err := c.Nomad().Allocations().Info(a.ID, nil)
					if err != nil {
						return err
					}
					if err := c.Nomad().Allocations().Restart(full, "", nil); err != nil {
						return err
					}
					break
				}
			}
			return healthy(ctx)
		}},
		{"intention write", func(ctx context.Context, rng *rand.Rand) error {
			action := []consulapi.IntentionAction{consulapi.IntentionActionAllow, consulapi.IntentionActionDeny}[rng.IntN(2)]
			_, _, err := c.Consul().ConfigEntries().Set(&consulapi.ServiceIntentionsConfigEntry{
				Kind: consulapi.ServiceIntentions, Name: "live-web",
				Sources: []*consulapi.SourceIntention{{Name: "app", Action: action}},
			}, nil)
			return err
		}},
		{"intention delete", func(ctx context.Context, _ *rand.Rand) error {
			_, err := c.Consul().ConfigEntries().Delete(consulapi.ServiceIntentions, "live-web", nil)
			return err
		}},
		{"consul restart", func(ctx context.Context, _ *rand.Rand) error {
			if err := c.StopConsul(); err != nil {
				return err
			}
			return c.StartConsul(ctx)
		}},
		{"nomad restart", func(ctx context.Context, _ *rand.Rand) error {
			if err := c.RestartNomad(ctx); err != nil {
				return err
			}
			return healthy(ctx)
		}},
		{"node drain", func(ctx context.Context, _ *rand.Rand) error {
			return drainAndReturn(ctx, c, logf)
		}},
	}
}

// drainNodeID is the ID of drainNode.
func drainNodeID(c *devcluster.Cluster) (string, error) {
	stubs, _, err := c.Nomad().Nodes().List(nil)
	if err != nil {
		return "", err
	}
	for _, s := range stubs {
		if s.Name == drainNode {
			return s.ID, nil
		}
	}
	return "", fmt.Errorf("no node %s", drainNode)
}

// setEligible makes drainNode eligible for placements, or not.
func setEligible(c *devcluster.Cluster, eligible bool) error {
	id, err := drainNodeID(c)
	if err != nil {
		return err
	}
	_, err = c.Nomad().Nodes().ToggleEligibility(id, eligible, nil)
	return err
}

// drainAndReturn drains drainNode (its live allocations move to the first
// node), waits until the drain is done, and makes the node eligible again.
func drainAndReturn(ctx context.Context, c *devcluster.Cluster, logf func(string, ...any)) error {
	nodes := c.Nomad().Nodes()
	id, err := drainNodeID(c)
	if err != nil {
		return err
	}
	allocs, _, err := nodes.Allocations(id, nil)
	if err != nil {
		return err
	}
	moving := 0
	for _, a := range allocs {
		if a.JobID == "live" && !model.TerminalClientStatus(a.ClientStatus) {
			moving++
		}
	}
	logf("draining %s: %d live allocations to move", drainNode, moving)
	spec := &nomadapi.DrainSpec{Deadline: time.Minute}
	if _, err := nodes.UpdateDrainOpts(id, &nomadapi.DrainOptions{DrainSpec: spec}, nil); err != nil {
		return err
	}
	for {
		n, _, err := nodes.Info(id, nil)
		if err != nil {
			return err
		}
		if n.DrainStrategy == nil {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if err := setEligible(c, true); err != nil {
		return err
	}
	return c.WaitHealthy(ctx, "default", "live")
}

// waitNoAllocs waits until the live job has no running allocation.
func waitNoAllocs(ctx context.Context, c *devcluster.Cluster) error {
	for ctx.Err() == nil {
		allocs, _, err := c.Nomad().Jobs().Allocations("live", false, nil)
		if err != nil {
			return err
		}
		running := 0
		for _, a := range allocs {
			if !model.TerminalClientStatus(a.ClientStatus) {
				running++
			}
		}
		if running == 0 {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return ctx.Err()
}

// freezeNomad stops Nomad with SIGSTOP for freezeFor: the stream stays open
// and silent. The model must say stale within 30 s, then connected after
// Nomad resumes.
func freezeNomad(ctx context.Context, t *testing.T, c *devcluster.Cluster, store *model.Store) {
	t.Helper()
	if err := c.FreezeNomad(); err != nil {
		t.Fatal(err)
	}
	frozen := time.Now()
	thawed := false
	defer func() {
		if !thawed {
			_ = c.ThawNomad()
		}
	}()
	// The watchdog probes Nomad after 20 s without a frame or heartbeat
	// (Nomad sends one every 30 s when idle) and calls the data stale when
	// the probe is not answered within 5 s, so stale comes at most ~26 s
	// after the freeze.
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	err := waitState(wctx, store, model.StateStale)
	wcancel()
	if err != nil {
		t.Fatalf("frozen Nomad not shown stale within 30 s: %v", err)
	}
	t.Logf("stale %s after the freeze", time.Since(frozen).Round(100*time.Millisecond))
	if s := store.Snapshot().Status().Nomad; s.AsOf.IsZero() || s.Reason == "" {
		t.Errorf("stale status lacks as-of or reason: %+v", s)
	}
	time.Sleep(time.Until(frozen.Add(freezeFor)))
	if err := c.ThawNomad(); err != nil {
		t.Fatal(err)
	}
	thawed = true
	thaw := time.Now()
	wctx, wcancel = context.WithTimeout(ctx, modelWait)
	defer wcancel()
	if err := waitState(wctx, store, model.StateConnected); err != nil {
		t.Fatalf("thawed Nomad not shown connected: %v", err)
	}
	t.Logf("connected %s after the thaw", time.Since(thaw).Round(100*time.Millisecond))
}

// waitState waits until the model's Nomad status is state.
func waitState(ctx context.Context, store *model.Store, state string) error {
	deltas := store.Subscribe(ctx)
	for {
		if st := store.Snapshot().Status().Nomad; st.State == state {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("state %s: %w", store.Snapshot().Status().Nomad.State, ctx.Err())
		case <-deltas:
		}
	}
}

// settle waits until the live model equals a fresh sync of the cluster and
// returns how long that took. Both must be connected to Nomad and Consul.
func settle(ctx context.Context, t *testing.T, c *devcluster.Cluster, store *model.Store) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	deadline := time.Now().Add(modelWait)
	var diff string
	for time.Now().Before(deadline) {
		fresh := freshSnapshot(t, c)
		live := store.Snapshot()
		if st := live.Status(); st.Nomad.State != model.StateConnected || st.Consul.State != model.StateConnected {
			diff = fmt.Sprintf("live status nomad %s, consul %s", st.Nomad.State, st.Consul.State)
		} else if diff = modelDiff(live, fresh); diff == "" {
			return time.Since(start), nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("the live model never equalled a fresh sync: %s", diff)
}

// modelDiff compares everything a page can show (nodes, allocations,
// services, intentions, edges, warnings), leaving out only the version and
// the sources' status. It returns the differing lines, or "".
func modelDiff(live, fresh *model.Snapshot) string {
	lines := func(s *model.Snapshot) []string {
		g := viewmodel.NewGraph(s)
		g.Version, g.Status = 0, model.Status{}
		var out []string
		add := func(kind string, v any) {
			b, _ := json.Marshal(v)
			out = append(out, kind+" "+string(b))
		}
		for _, x := range g.Nodes {
			add("node", x)
		}
		for _, x := range g.Allocations {
			add("alloc", x)
		}
		for _, x := range g.Services {
			add("service", x)
		}
		for _, x := range g.Intentions {
			add("intention", x)
		}
		for _, x := range g.Edges {
			add("edge", x)
		}
		for _, x := range g.Warnings {
			add("warning", x)
		}
		add("default_allow", g.DefaultAllow)
		slices.Sort(out)
		return out
	}
	l, f := lines(live), lines(fresh)
	var diff []string
	for _, x := range l {
		if _, ok := slices.BinarySearch(f, x); !ok {
			diff = append(diff, "only live:  "+x)
		}
	}
	for _, x := range f {
		if _, ok := slices.BinarySearch(l, x); !ok {
			diff = append(diff, "only fresh: "+x)
		}
	}
	return strings.Join(diff, "\n")
}
