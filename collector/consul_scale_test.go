//go:build integration

package collector_test

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/consul"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/internal/devcluster"
	"golang.org/x/sync/errgroup"
)

// Size of the catalog BenchmarkConsulSourceScale builds: a fleet of Nomad
// clients, each with its own Consul node, each running a few instances with
// one check apiece. More nodes than consulMaxNodeWatches, so both the
// per-node long polls and the sweep are measured.
const (
	scaleNodes           = 300
	scaleServicesPerNode = 10
)

// BenchmarkConsulSourceScale measures the Consul source on a real Consul
// holding scaleNodes × scaleServicesPerNode instances (registered through
// the catalog API on external nodes, as agents would): ns/op is one full
// Sync; it also reports how long one check change takes to reach the model
// while Run follows the catalog (ms/change, of which ms/write is Consul
// committing the write), and how many goroutines Run needs.
func BenchmarkConsulSourceScale(b *testing.B) {
	ctx := context.Background()
	c, err := devcluster.Start(ctx, devcluster.Options{})
	if err != nil {
		b.Fatalf("devcluster did not start: %v", err)
	}
	b.Cleanup(func() { _ = c.Close() })
	client := c.Consul()
	start := time.Now()
	registerScaleCatalog(b, client)
	b.Logf("registered %d instances on %d nodes in %s", scaleNodes*scaleServicesPerNode, scaleNodes, time.Since(start))

	b.Run("sync", func(b *testing.B) {
		for b.Loop() {
			store := model.NewStore()
			if err := consul.NewSource(client, store, slog.New(slog.DiscardHandler)).Sync(ctx); err != nil {
				b.Fatal(err)
			}
			if n := len(store.Snapshot().Services()); n < scaleNodes*scaleServicesPerNode {
				b.Fatalf("synced %d instances", n)
			}
		}
	})

	b.Run("check change under Run", func(b *testing.B) {
		store := model.NewStore()
		src := consul.NewSource(client, store, slog.New(slog.DiscardHandler))
		before := runtime.NumGoroutine()
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- src.Run(runCtx) }()
		defer func() {
			stop()
			<-done
		}()
		awaitScale(b, store, func(s *model.Snapshot) bool { return len(s.Services()) >= scaleNodes*scaleServicesPerNode })
		status := consulapi.HealthCritical
		var total, writes time.Duration
		changes := 0
		for b.Loop() {
			node := changes % scaleNodes
			id := fmt.Sprintf("svc-%d-0", node)
			t0 := time.Now()
			registerScaleInstance(b, client, node, 0, status, 20000)
			writes += time.Since(t0)
			awaitScale(b, store, func(s *model.Snapshot) bool {
				svc := scaleInstance(s, node, id)
				return svc != nil && svc.Health == status
			})
			total += time.Since(t0)
			changes++
			if status == consulapi.HealthCritical {
				status = consulapi.HealthPassing
			} else {
				status = consulapi.HealthCritical
			}
		}
		b.ReportMetric(float64(total.Microseconds())/float64(changes)/1000, "ms/change")
		b.ReportMetric(float64(writes.Microseconds())/float64(changes)/1000, "ms/write")
		// Counted last, once every node's watcher is surely running.
		b.ReportMetric(float64(runtime.NumGoroutine()-before), "goroutines")

		// A registration change reaches the model through the node's own
		// watcher (nodes are placed in name order: scale-0 comes first) or
		// through the sweep (scale-99 comes last, past the cap).
		for _, node := range []int{0, 99} {
			var total time.Duration
			const rounds = 5
			for round := range rounds {
				id, port := fmt.Sprintf("svc-%d-1", node), 30000+round
				t0 := time.Now()
				registerScaleInstance(b, client, node, 1, consulapi.HealthPassing, port)
				awaitScale(b, store, func(s *model.Snapshot) bool {
					svc := scaleInstance(s, node, id)
					return svc != nil && svc.Port == port
				})
				total += time.Since(t0)
			}
			b.ReportMetric(float64(total.Microseconds())/rounds/1000, fmt.Sprintf("ms/registration-scale-%d", node))
		}
	})
}

// registerScaleCatalog fills Consul's catalog, eight writes at a time.
func registerScaleCatalog(b *testing.B, client *consulapi.Client) {
	g := new(errgroup.Group)
	g.SetLimit(8)
	for n := range scaleNodes {
		for i := range scaleServicesPerNode {
			g.Go(func() error { return writeScaleInstance(client, n, i, consulapi.HealthPassing, 20000+i) })
		}
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
}

func registerScaleInstance(b *testing.B, client *consulapi.Client, node, i int, status string, port int) {
	if err := writeScaleInstance(client, node, i, status, port); err != nil {
		b.Fatal(err)
	}
}

// writeScaleInstance registers instance i of node (and the node) on port,
// with one check in the given status.
func writeScaleInstance(client *consulapi.Client, node, i int, status string, port int) error {
	id := fmt.Sprintf("svc-%d-%d", node, i)
	_, err := client.Catalog().Register(&consulapi.CatalogRegistration{
		Node:           fmt.Sprintf("scale-%d", node),
		Address:        fmt.Sprintf("10.77.%d.%d", node/250, node%250+1),
		SkipNodeUpdate: true,
		Service:        &consulapi.AgentService{ID: id, Service: fmt.Sprintf("svc-%d", i), Port: port},
		Check: &consulapi.AgentCheck{
			CheckID: "check-" + id, Name: "check", ServiceID: id, Status: status,
		},
	}, nil)
	if err != nil {
		return fmt.Errorf("register %s: %w", id, err)
	}
	return nil
}

// scaleInstance finds instance id of node in the model, or nil.
func scaleInstance(s *model.Snapshot, node int, id string) *model.Service {
	name := "svc-" + id[strings.LastIndex(id, "-")+1:] // svc-<node>-<i> is an instance of svc-<i>
	for _, svc := range s.ServicesNamed(name) {
		if svc.ID == fmt.Sprintf("scale-%d/%s", node, id) {
			return svc
		}
	}
	return nil
}

// awaitScale waits, re-checking on every new model version, until ok holds.
func awaitScale(b *testing.B, store *model.Store, ok func(*model.Snapshot) bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	versions := store.Subscribe(ctx)
	for !ok(store.Snapshot()) {
		if _, open := <-versions; !open {
			b.Fatal("model never caught up")
		}
	}
}
