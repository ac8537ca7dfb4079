package consul_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netviz/netviz/collector/consul"
	"github.com/netviz/netviz/collector/model"
	"go.uber.org/goleak"
)

// These tests run the source against fakeConsul; tests against a real
// Consul are in package collector, behind the integration tag.

const (
	healthPath = "/v1/health/state/any"
	n2Path     = "/v1/catalog/node-services/n2"
)

// TestNodeWatchFailureIsRetriedAlone: one node's services failing to read
// is that node's problem: the status names it, its last known instances
// stay, the other nodes keep being followed, and once it reads again it
// recovers without a full re-read. The same holds for a node the sweep
// reads (past the watch cap).
func TestNodeWatchFailureIsRetriedAlone(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []consul.Option
	}{
		{"own watcher", nil},
		{"swept", []consul.Option{consul.WithNodeWatches(0)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkLeaks(t)
			f := newFakeConsul(t)
			f.register("n1", "web-1", "web", 8080)
			f.register("n2", "db-1", "db", 5432)
			store, _ := runSource(t, f, tt.opts...)
			waitFor(t, store, "web and db", func(s *model.Snapshot) error {
				if err := wantState(s, model.StateConnected); err != nil {
					return err
				}
				return wantInstances(s, "db", "web")
			})

			f.failing(n2Path, http.StatusInternalServerError)
			waitFor(t, store, "n2's failure in the status", func(s *model.Snapshot) error {
				if got := s.Status().Consul.Topics["catalog"]; !strings.HasPrefix(got, "node n2: 500") {
					return fmt.Errorf("catalog topic = %q", got)
				}
				return wantState(s, model.StateConnected)
			})
			f.register("n1", "web-1", "web", 8081)
			waitFor(t, store, "n1 still followed, n2's last known instance kept", func(s *model.Snapshot) error {
				if web := instance(s, "web-1"); web == nil || web.Port != 8081 {
					return fmt.Errorf("web-1 = %+v", web)
				}
				if instance(s, "db-1") == nil {
					return fmt.Errorf("db-1 gone while its node could not be read")
				}
				return nil
			})

			f.failing(n2Path, 0)
			f.register("n2", "db-2", "db", 5433)
			waitFor(t, store, "n2 read again", func(s *model.Snapshot) error {
				if instance(s, "db-2") == nil {
					return fmt.Errorf("no db-2")
				}
				if topics := s.Status().Consul.Topics; topics != nil {
					return fmt.Errorf("topics %v", topics)
				}
				return wantState(s, model.StateConnected)
			})
			if full, leader := f.counts(); full != 1 || leader == 0 {
				t.Errorf("%d full reads and %d leader checks; want 1 full read, and the leader asked", full, leader)
			}
		})
	}
}

// TestHealthReadFailureIsUnknown: checks that cannot be read (refused or
// failing) make health unknown, with the reason in the status, and never
// passing; reading them again clears both.
func TestHealthReadFailureIsUnknown(t *testing.T) {
	for _, code := range []int{http.StatusForbidden, http.StatusInternalServerError} {
		prefix := strconv.Itoa(code)
		// unknown waits for unknown health. Passing is a lie once the checks
		// were never read (first), or once the status says they cannot be.
		unknown := func(t *testing.T, first bool) func(*model.Snapshot) error {
			return func(s *model.Snapshot) error {
				web := instance(s, "web-1")
				if web == nil {
					return fmt.Errorf("no web-1")
				}
				_, unread := s.Status().Consul.Topics["health"]
				if web.Health == model.HealthPassing && (first || unread) {
					t.Fatalf("web-1 passing while its checks cannot be read (status %+v)", s.Status().Consul)
				}
				if web.Health != model.HealthUnknown {
					return fmt.Errorf("web-1 health %q", web.Health)
				}
				if got := s.Status().Consul.Topics["health"]; !strings.HasPrefix(got, prefix) || !strings.Contains(got, "unknown") {
					return fmt.Errorf("health topic = %q", got)
				}
				return wantState(s, model.StateConnected)
			}
		}
		passing := func(s *model.Snapshot) error {
			if web := instance(s, "web-1"); web == nil || web.Health != model.HealthPassing {
				return fmt.Errorf("web-1 = %+v", web)
			}
			if got, ok := s.Status().Consul.Topics["health"]; ok {
				return fmt.Errorf("health topic still %q", got)
			}
			return nil
		}

		t.Run(prefix+" at the first read", func(t *testing.T) {
			checkLeaks(t)
			f := newFakeConsul(t)
			f.register("n1", "web-1", "web", 8080)
			f.failing(healthPath, code)
			store, _ := runSource(t, f)
			waitFor(t, store, "health unknown", unknown(t, true))
			f.failing(healthPath, 0)
			waitFor(t, store, "health read again", passing)
		})

		t.Run(prefix+" while following", func(t *testing.T) {
			checkLeaks(t)
			f := newFakeConsul(t)
			f.register("n1", "web-1", "web", 8080)
			store, _ := runSource(t, f)
			waitFor(t, store, "passing", passing)
			f.failing(healthPath, code)
			waitFor(t, store, "health unknown", unknown(t, false))
			f.failing(healthPath, 0)
			waitFor(t, store, "health read again", passing)
			if full, _ := f.counts(); full != 1 {
				t.Errorf("%d full reads, want 1", full)
			}
		})

		t.Run(prefix+" in Sync", func(t *testing.T) {
			checkLeaks(t)
			f := newFakeConsul(t)
			f.register("n1", "web-1", "web", 8080)
			f.failing(healthPath, code)
			store := model.NewStore()
			src := consul.NewSource(f.client(t), store, testLogger(t))
			if err := src.Sync(t.Context()); err != nil {
				t.Fatalf("Sync: %v; a refused or failing health read is not Consul being down", err)
			}
			if err := unknown(t, true)(store.Snapshot()); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestConsulDownEndsTheSession: when Consul itself stops answering, the
// status says down, the last known instances stay with their health
// unknown, and Consul's return brings a full re-read.
func TestConsulDownEndsTheSession(t *testing.T) {
	checkLeaks(t)
	f := newFakeConsul(t)
	f.register("n1", "web-1", "web", 8080)
	store, _ := runSource(t, f)
	waitFor(t, store, "connected", func(s *model.Snapshot) error {
		if web := instance(s, "web-1"); web == nil || web.Health != model.HealthPassing {
			return fmt.Errorf("web-1 = %+v", web)
		}
		return wantState(s, model.StateConnected)
	})

	f.failing("*", http.StatusInternalServerError)
	waitFor(t, store, "down, data kept", func(s *model.Snapshot) error {
		if err := wantState(s, model.StateDown); err != nil {
			return err
		}
		if s.Status().Consul.Error == "" {
			return fmt.Errorf("no error in %+v", s.Status().Consul)
		}
		if web := instance(s, "web-1"); web == nil || web.Health != model.HealthUnknown {
			return fmt.Errorf("web-1 = %+v, want kept with unknown health", web)
		}
		return nil
	})

	f.failing("*", 0)
	waitFor(t, store, "connected again", func(s *model.Snapshot) error {
		if web := instance(s, "web-1"); web == nil || web.Health != model.HealthPassing {
			return fmt.Errorf("web-1 = %+v", web)
		}
		return wantState(s, model.StateConnected)
	})
	if full, _ := f.counts(); full != 2 {
		t.Errorf("%d full reads, want 2 (the first and one after Consul came back)", full)
	}
}

// TestWatchesStopOnCancel: cancelling Run stops every watch at once, the
// blocked ones and the one waiting to retry, and leaves no goroutine.
func TestWatchesStopOnCancel(t *testing.T) {
	checkLeaks(t)
	f := newFakeConsul(t)
	f.register("n1", "web-1", "web", 8080)
	f.register("n2", "db-1", "db", 5432)
	f.failing(n2Path, http.StatusInternalServerError)
	store, stop := runSource(t, f)
	waitFor(t, store, "n2 retrying", func(s *model.Snapshot) error {
		if got := s.Status().Consul.Topics["catalog"]; !strings.HasPrefix(got, "node n2: 500") {
			return fmt.Errorf("catalog topic = %q", got)
		}
		return nil
	})
	start := time.Now()
	stop()
	if took := time.Since(start); took > time.Second {
		t.Errorf("Run took %s to return after cancel", took)
	}
}

// runSource runs a source against f until the test ends (or stop is
// called) and checks that Run then returns nil promptly.
func runSource(t *testing.T, f *fakeConsul, opts ...consul.Option) (store *model.Store, stop func()) {
	t.Helper()
	store = model.NewStore()
	src := consul.NewSource(f.client(t), store, testLogger(t), opts...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run returned %v, want nil", err)
				}
			case <-time.After(5 * time.Second):
				t.Error("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return store, stop
}

// checkLeaks fails the test if a goroutine started after this call
// outlives the test's cleanups. Call it first, so its check runs last.
func checkLeaks(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		if err := goleak.Find(before); err != nil {
			t.Error(err)
		}
	})
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// waitFor waits until cond holds for the store's latest snapshot.
func waitFor(t *testing.T, store *model.Store, what string, cond func(*model.Snapshot) error) *model.Snapshot {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := store.Snapshot()
		err := cond(s)
		if err == nil {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func wantState(s *model.Snapshot, state string) error {
	if got := s.Status().Consul; got.State != state {
		return fmt.Errorf("consul state %q (%+v), want %q", got.State, got, state)
	}
	return nil
}

// wantInstances checks the Consul instances' names, sorted.
func wantInstances(s *model.Snapshot, names ...string) error {
	var got []string
	for _, svc := range s.Services() {
		if svc.Provider == model.ProviderConsul {
			got = append(got, svc.Name)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(names) {
		return fmt.Errorf("consul instances %v, want %v", got, names)
	}
	return nil
}

// instance finds a Consul instance by its Consul service ID.
func instance(s *model.Snapshot, serviceID string) *model.Service {
	for _, svc := range s.Services() {
		if svc.Provider == model.ProviderConsul && strings.HasSuffix(svc.ID, "/"+serviceID) {
			return svc
		}
	}
	return nil
}
