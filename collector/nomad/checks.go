package nomad

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/netviz/netviz/collector/model"
	"golang.org/x/sync/errgroup"
)

// checkPollInterval is the pause between two rounds of reading Nomad-native
// service checks. Nomad 1.6 publishes no event when a check's status
// changes, so they are polled: one client request per allocation that has
// checked Nomad services, eight at a time, then this pause. Slow enough that
// thousands of allocations do not load the clients; fast enough that a
// failing check shows within seconds.
const checkPollInterval = 5 * time.Second

// checkStatus is one entry of /v1/client/allocation/:id/checks.
type checkStatus struct {
	Service string
	Status  string // success, failure or pending
}

// nativeHealth remembers each (allocation, service) health the poller saw,
// so a registration event arriving between rounds starts with it.
type nativeHealth struct {
	mu sync.Mutex
	m  map[string]string
}

func healthKey(allocID, service string) string { return allocID + "\x00" + service }

func (h *nativeHealth) get(allocID, service string) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.m[healthKey(allocID, service)]
	return v, ok
}

func (h *nativeHealth) set(allocID, service, health string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string]string{}
	}
	h.m[healthKey(allocID, service)] = health
}

// forget drops what is known of allocations no longer live.
func (h *nativeHealth) forget(live map[string]bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k := range h.m {
		if id, _, _ := strings.Cut(k, "\x00"); !live[id] {
			delete(h.m, k)
		}
	}
}

// apply gives a fresh registration the health last seen for it.
func (h *nativeHealth) apply(svc *model.Service) *model.Service {
	if v, ok := h.get(svc.AllocID, svc.Name); ok {
		svc.Health = v
	}
	return svc
}

// aggregateChecks turns check statuses into a health per service: any
// failure is critical, else any pending is unknown, else passing.
func aggregateChecks(checks map[string]checkStatus) map[string]string {
	out := map[string]string{}
	for _, c := range checks {
		cur, seen := out[c.Service]
		var h string
		switch c.Status {
		case "failure":
			h = model.HealthCritical
		case "success":
			h = model.HealthPassing
		default:
			h = model.HealthUnknown
		}
		switch {
		case !seen, h == model.HealthCritical, h == model.HealthUnknown && cur == model.HealthPassing:
			out[c.Service] = h
		}
	}
	return out
}

// pollChecks reads the checks of every live allocation with checked
// Nomad-native services, every checkPollInterval, until ctx ends.
func (s *Source) pollChecks(ctx context.Context) {
	t := time.NewTimer(checkPollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.checkRound(ctx)
		t.Reset(checkPollInterval)
	}
}

// checkRound reads the checks once and applies every health that changed.
func (s *Source) checkRound(ctx context.Context) {
	snap := s.store.Snapshot()
	live := map[string]bool{}
	var ids []string
	for _, a := range snap.Allocations() {
		live[a.ID] = true
		for _, spec := range a.Services {
			if spec.Provider == model.ProviderNomad && spec.Checks > 0 {
				ids = append(ids, a.ID)
				break
			}
		}
	}
	s.health.forget(live)
	var (
		mu      sync.Mutex
		changes []model.Change
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readParallelism)
	for _, id := range ids {
		g.Go(func() error {
			var checks map[string]checkStatus
			if _, err := s.api.get(gctx, "/v1/client/allocation/"+url.PathEscape(id)+"/checks", "", &checks); err != nil {
				s.log.Debug("nomad: read allocation checks", "alloc", id, "err", err)
				return nil
			}
			for name, health := range aggregateChecks(checks) {
				s.health.set(id, name, health)
			}
			mu.Lock()
			defer mu.Unlock()
			changes = append(changes, healthChanges(snap, id, &s.health)...)
			return nil
		})
	}
	_ = g.Wait()
	if len(changes) > 0 && ctx.Err() == nil {
		s.store.Apply(changes...)
	}
}

// healthChanges are upserts of the allocation's Nomad-native instances
// whose health differs from what the poller saw.
func healthChanges(snap *model.Snapshot, allocID string, h *nativeHealth) []model.Change {
	var out []model.Change
	a := snap.Allocation(allocID)
	if a == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, spec := range a.Services {
		if spec.Provider != model.ProviderNomad || seen[spec.Name] {
			continue
		}
		seen[spec.Name] = true
		health, ok := h.get(allocID, spec.Name)
		if !ok {
			continue
		}
		for _, svc := range snap.ServicesNamed(spec.Name) {
			if svc.Provider != model.ProviderNomad || svc.AllocID != allocID || svc.Health == health {
				continue
			}
			cp := *svc
			cp.Health = health
			out = append(out, model.UpsertService{Service: &cp})
		}
	}
	return out
}
