package nomad

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/netviz/netviz/collector/model"
)

// readServices lists the Nomad-native services and reads each name's
// instances, a few at a time. whole is the registration table's index when
// the read is provably the table's whole content at that index, else 0
// (see provedWhole).
func (s *Source) readServices(ctx context.Context) (out []*model.Service, index, whole uint64, err error) {
	var lists []apiServiceList
	if index, err = s.api.get(ctx, "/v1/services", "", &lists); err != nil {
		return nil, 0, 0, err
	}
	out, whole, err = s.readServiceNames(ctx, lists, index)
	return out, index, whole, err
}

// catchUpServices lists the Nomad services and reads them again unless the
// registration table's index (the list's) is the last write the model
// holds and anti-entropy asks for none (forced): then the model's
// instances are Nomad's, and it returns them as kept. Otherwise writes may
// have been lost with the dropped stream, or sit in frames the read skips,
// for any name, so every name is read, as a sync does. Narrowing to the
// names of the allocations that changed missed registrations a task makes
// after its allocation's last change: the scale harness found 11 instances
// missing after a replace burst at 1,000 allocations, until anti-entropy.
// It runs alongside the allocation reads, as a sync's service reads do.
func (s *Source) catchUpServices(ctx context.Context, prev *model.Snapshot, forced bool) (read, kept []*model.Service, index, whole uint64, err error) {
	var lists []apiServiceList
	if index, err = s.api.get(ctx, "/v1/services", "", &lists); err != nil {
		return nil, nil, 0, 0, err
	}
	if !forced && s.unchangedSince("Service", index) {
		for _, svc := range prev.Services() {
			if svc.Provider == model.ProviderNomad {
				kept = append(kept, svc)
			}
		}
		return nil, kept, index, 0, nil
	}
	read, whole, err = s.readServiceNames(ctx, lists, index)
	return read, nil, index, whole, err
}

// readServiceNames reads the instances of every listed service, a few at a
// time. listed is the list's index; whole is it when provedWhole finds the
// read complete at that index, else 0.
func (s *Source) readServiceNames(ctx context.Context, lists []apiServiceList, listed uint64) (out []*model.Service, whole uint64, err error) {
	var mu sync.Mutex
	quiet := true // every name read at the list's index
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readParallelism)
	for _, l := range lists {
		for _, svc := range l.Services {
			g.Go(func() error {
				var regs []*apiServiceReg
				idx, err := s.api.get(gctx, "/v1/service/"+url.PathEscape(svc.ServiceName), l.Namespace, &regs)
				if err != nil {
					if isNotFound(err) {
						return nil
					}
					return fmt.Errorf("read service %s: %w", svc.ServiceName, err)
				}
				mu.Lock()
				defer mu.Unlock()
				quiet = quiet && idx == listed
				for _, r := range regs {
					out = append(out, s.health.apply(convertServiceReg(r)))
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, 0, err
	}
	if quiet && s.provedWhole(ctx, lists, listed) {
		whole = listed
	}
	return out, whole, nil
}

// provedWhole lists the services again after their instances were read:
// when the table's index is still the first list's, nothing was written
// to it from the first list's index to now, so every instance read is the
// table's content at that index; and when the second list, built in that
// quiet time, names no service the first missed (one registered while the
// first list was built, before its index was taken: Nomad reads a list's
// index after building it), no name went unread. Then the model, once it
// applies the read, holds every write to services up to that index, and
// a later catch-up that finds the table still there need not read it
// (catchUpServices): without this, a catch-up read services again after
// every read until the stream delivered a service event, although none
// had changed. Costs one list, a few kB; it is asked only when every
// name's read answered at the list's index, since a name read at another
// index means a write came meanwhile and the proof would fail.
func (s *Source) provedWhole(ctx context.Context, first []apiServiceList, listed uint64) bool {
	var again []apiServiceList
	idx, err := s.api.get(ctx, "/v1/services", "", &again)
	if err != nil || idx != listed {
		return false
	}
	read := map[string]bool{}
	for _, l := range first {
		for _, svc := range l.Services {
			read[l.Namespace+"\x00"+svc.ServiceName] = true
		}
	}
	for _, l := range again {
		if slices.ContainsFunc(l.Services, func(svc apiServiceStub) bool { return !read[l.Namespace+"\x00"+svc.ServiceName] }) {
			return false
		}
	}
	return true
}
