package nomad

import (
	"context"
	"fmt"
	"maps"
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
func (s *Source) pollChecks(ctx context.Context) { every(ctx, checkPollInterval, s.checkRound) }

// every calls fn each pause after the previous call returned (never two at
// once, however long fn takes), until ctx ends.
func every(ctx context.Context, pause time.Duration, fn func(context.Context)) {
	t := time.NewTimer(pause)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fn(ctx)
		t.Reset(pause)
	}
}

// checksTopic is the status topic where failed check reads are reported.
const checksTopic = "checks"

// checkRound reads the checks once and applies every health that changed.
// A read that fails makes the allocation's checked services unknown (never
// passing) and is reported in the status until a round reads them all.
// Healths are applied with a guarded change, so an instance deregistered
// while the round ran stays deleted.
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
		failed  int
		lastErr error
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readParallelism)
	for _, id := range ids {
		g.Go(func() error {
			var checks map[string]checkStatus
			_, err := s.api.get(gctx, "/v1/client/allocation/"+url.PathEscape(id)+"/checks", "", &checks)
			if err != nil && gctx.Err() != nil {
				return nil
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				lastErr = err
				checks = nil
				for _, spec := range snap.Allocation(id).Services {
					if spec.Provider == model.ProviderNomad && spec.Checks > 0 {
						s.health.set(id, spec.Name, model.HealthUnknown)
					}
				}
			}
			for name, health := range aggregateChecks(checks) {
				s.health.set(id, name, health)
			}
			changes = append(changes, healthChanges(snap, id, &s.health)...)
			return nil
		})
	}
	_ = g.Wait()
	if ctx.Err() != nil {
		return
	}
	if failed > 0 {
		s.log.Warn("nomad: reading check results failed; their services show as unknown", "allocations", failed, "err", lastErr)
	}
	if st := s.checksStatus(failed, len(ids), lastErr); st != nil {
		changes = append(changes, *st)
	}
	if len(changes) > 0 {
		s.store.Apply(changes...)
	}
}

// checksStatus returns the status change that reports (or clears) failed
// check reads, or nil when the status already says so.
func (s *Source) checksStatus(failed, total int, err error) *model.SetNomadStatus {
	msg := ""
	if failed > 0 {
		msg = fmt.Sprintf("%d of %d allocations' check results could not be read (%s); their services show as unknown", failed, total, describe(err))
	}
	s.mu.Lock()
	cur := s.status.Topics[checksTopic]
	s.mu.Unlock()
	if cur == msg {
		return nil
	}
	c := s.updateStatus(func(st *model.SourceStatus) {
		st.Topics = maps.Clone(st.Topics)
		if msg == "" {
			delete(st.Topics, checksTopic)
			return
		}
		if st.Topics == nil {
			st.Topics = map[string]string{}
		}
		st.Topics[checksTopic] = msg
	})
	return &c
}

// healthChanges are the health updates of the allocation's Nomad-native
// instances whose health differs from what the poller saw.
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
			out = append(out, model.SetServiceHealth{Provider: model.ProviderNomad, ID: svc.ID, Health: health})
		}
	}
	return out
}

// uncheckedHealth gives an instance whose service declares checks, and
// whose checks the poller has not read yet, the health unknown: Nomad
// publishes no event for check results, and an instance must not look
// passing before anything said so. Instances of services without checks
// keep the health they were converted with (Nomad serves them to templates
// whatever happens). A registration is converted as passing, so whether the
// checks were read is asked of the poller's memory, h.
func uncheckedHealth(svc *model.Service, a *model.Allocation, h *nativeHealth) {
	if a == nil {
		return
	}
	if _, read := h.get(svc.AllocID, svc.Name); read {
		return
	}
	for _, spec := range a.Services {
		if spec.Provider == model.ProviderNomad && spec.Name == svc.Name && spec.Checks > 0 {
			svc.Health = model.HealthUnknown
			return
		}
	}
}
