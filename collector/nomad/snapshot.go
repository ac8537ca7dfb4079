package nomad

import (
	"context"
	"fmt"
	"net/url"
	"sync"

	"github.com/netviz/netviz/collector/model"
	"golang.org/x/sync/errgroup"
)

// state is one consistent read of Nomad: everything the model needs,
// and the lowest index the reads were taken at (the event stream resumes
// there, so nothing between the reads is missed; replays are idempotent).
type state struct {
	index    uint64
	nodes    []*model.Node
	allocs   []*model.Allocation
	services []*model.Service
	// forbidden maps a topic to the error an ACL gave when reading it.
	forbidden map[string]string
	// needIP lists bridge/CNI allocations whose namespace IP the list lacks.
	needIP []string
	// jobs holds the namespace\x00id of every job listed.
	jobs map[string]bool
	// read counts the allocations converted from this read (all of them on
	// a full sync, the new or changed ones on a catch-up).
	read int
	// servicesWhole is the service table's index when the services read
	// are provably its whole content at that index (readServices), else 0;
	// allocsWhole likewise for the live allocations (listedWhole).
	servicesWhole, allocsWhole uint64
}

// readState reads nodes, job specs, allocations and Nomad-native services.
// With prev nil it reads every live allocation with its resources in one
// list call (~150 ms for 7,500, docs/nomad-behaviour.md) and every service.
// With prev, the model as it stands, it catches up (catchup.go): it lists
// the live allocations without their resources (or none when the table
// has not moved), reads in full only those placed since prev, and reads
// the services only when their table moved, keeping prev's reading of the
// rest; allocations missing from the list are gone. A 403 on one kind is
// recorded and the rest goes on; on a catch-up the model keeps what it
// holds of a forbidden kind.
func (s *Source) readState(ctx context.Context, prev *model.Snapshot) (*state, error) {
	st := &state{forbidden: map[string]string{}, jobs: map[string]bool{}}
	var (
		mu       sync.Mutex
		indexes  []uint64
		rawNodes []*apiNode
		allocs   allocRead
		stubs    []apiJobStub
		regs     []*model.Service
		keptRegs []*model.Service
	)
	forced := forcedRead{}
	if prev != nil {
		forced = s.takeForced()
	}
	record := func(topic string, idx uint64, err error) error {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if isForbidden(err) {
				st.forbidden[topic] = describe(err)
				return nil
			}
			return fmt.Errorf("read %s: %w", topic, err)
		}
		indexes = append(indexes, idx)
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		idx, err := s.api.get(gctx, "/v1/nodes?resources=true", "", &rawNodes)
		return record("Node", idx, err)
	})
	g.Go(func() error {
		var err error
		if prev == nil {
			allocs.index, err = s.api.get(gctx, allocListPath(true), "", &allocs.placed)
			allocs.whole = listedWhole(allocs.placed, allocs.index)
		} else {
			allocs, err = s.readChangedAllocs(gctx, prev, forced.allocs)
		}
		return record("Allocation", allocs.index, err)
	})
	g.Go(func() error {
		idx, err := s.api.get(gctx, "/v1/jobs", "", &stubs)
		return record("Job", idx, err)
	})
	g.Go(func() error {
		var err error
		var idx uint64
		if prev == nil {
			regs, idx, st.servicesWhole, err = s.readServices(gctx)
		} else {
			regs, keptRegs, idx, st.servicesWhole, err = s.catchUpServices(gctx, prev, len(forced.services) > 0)
		}
		return record("Service", idx, err)
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(indexes) == 0 {
		return nil, fmt.Errorf("every read was forbidden: %v", st.forbidden)
	}
	st.index = indexes[0]
	for _, i := range indexes {
		st.index = min(st.index, i)
	}
	if err := s.readJobs(ctx, stubs); err != nil {
		return nil, err
	}
	for _, j := range stubs {
		st.jobs[jobID(j.Namespace, j.ID)] = true
	}

	addr := map[string]string{}
	for _, n := range rawNodes {
		gn := convertNode(n)
		addr[n.ID] = gn.Address
		st.nodes = append(st.nodes, gn)
	}
	st.allocs = allocs.kept
	st.allocsWhole = allocs.whole
	var fresh []*model.Allocation
	convert := func(a *apiAlloc, moved bool) error {
		if !liveAlloc(a) {
			return nil
		}
		job, err := s.jobs.fetch(ctx, s.api, a.Namespace, a.JobID, a.JobVersion)
		if err != nil && !isForbidden(err) {
			return err
		}
		var cur *model.Allocation
		if prev != nil {
			cur = prev.Allocation(a.ID)
		}
		ga := convertAlloc(a, job, addr[a.NodeID])
		switch {
		case moved && cur != nil:
			keepPlacement(ga, cur)
		case ga.Network.IP == "" && cur != nil && cur.Network.Mode == ga.Network.Mode:
			ga.Network.IP, ga.Network.Interface = cur.Network.IP, cur.Network.Interface
		}
		if ga.Network.Mode != model.ModeHost && ga.Network.IP == "" {
			st.needIP = append(st.needIP, a.ID)
		}
		fresh = append(fresh, ga)
		return nil
	}
	for _, a := range allocs.placed {
		if err := convert(a, false); err != nil {
			return nil, err
		}
	}
	for _, a := range allocs.moved {
		if err := convert(a, true); err != nil {
			return nil, err
		}
	}
	st.allocs = append(st.allocs, fresh...)
	st.read = len(allocs.placed) + len(allocs.moved)
	byID := make(map[string]*model.Allocation, len(st.allocs))
	for _, a := range st.allocs {
		byID[a.ID] = a
	}
	for _, svc := range regs {
		uncheckedHealth(svc, byID[svc.AllocID], &s.health)
	}
	st.services = append(regs, keptRegs...)
	if prev != nil {
		st.keepForbidden(prev)
	}
	return st, nil
}

// keepForbidden fills the kinds the token may not read with what the model
// already holds, so a catch-up does not delete them.
func (st *state) keepForbidden(prev *model.Snapshot) {
	if _, ok := st.forbidden["Node"]; ok {
		st.nodes = prev.Nodes()
	}
	if _, ok := st.forbidden["Allocation"]; ok {
		st.allocs = prev.Allocations()
	}
	if _, ok := st.forbidden["Service"]; ok {
		st.services = nil
		for _, svc := range prev.Services() {
			if svc.Provider == model.ProviderNomad {
				st.services = append(st.services, svc)
			}
		}
	}
}

// readJobs fills the spec cache with the current version of every job (76
// job specs took 32 ms, docs/nomad-behaviour.md), a few at a time, and so
// records each job's current registration. The list names no version, so
// a job is read unless the spec registered at its JobModifyIndex is held:
// until 2026-11-29 this looked for the list's "Version", which Nomad's
// list does not have, found version 0 cached and never read a newer
// version whose Job event a drop had lost; allocation events then
// resolved to the older version (the scale harness's 100–200 allocations
// at an old version until anti-entropy).
func (s *Source) readJobs(ctx context.Context, stubs []apiJobStub) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readParallelism)
	for _, stub := range stubs {
		if s.jobs.registeredAtIndex(stub.Namespace, stub.ID, stub.JobModifyIndex) != nil {
			continue
		}
		g.Go(func() error {
			var job apiJob
			_, err := s.api.get(gctx, "/v1/job/"+url.PathEscape(stub.ID), stub.Namespace, &job)
			switch {
			case err == nil:
				s.jobs.put(&job)
			case isNotFound(err), isForbidden(err):
				// Gone since the list, or not ours to read: allocations still show.
			default:
				return fmt.Errorf("read job %s: %w", stub.ID, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// fillIPs reads single allocations whose namespace IP the list lacks, in the
// background after the first picture is published (reading every
// allocation one by one is 70× slower than the list,
// docs/nomad-behaviour.md), and fills them in with a guarded change: an
// allocation stopped or changed meanwhile is left as the stream set it.
func (s *Source) fillIPs(ctx context.Context, ids []string) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readParallelism)
	for _, id := range ids {
		g.Go(func() error {
			var a apiAlloc
			if _, err := s.api.get(gctx, "/v1/allocation/"+url.PathEscape(id), "", &a); err != nil {
				if gctx.Err() == nil {
					s.log.Debug("read allocation for namespace IP", "alloc", id, "err", err)
				}
				return nil
			}
			n := convertAlloc(&a, nil, "").Network
			if n.IP != "" && gctx.Err() == nil {
				s.store.Apply(model.SetAllocNetwork{ID: a.ID, Mode: n.Mode, IP: n.IP, Interface: n.Interface})
			}
			return nil
		})
	}
	_ = g.Wait()
}
