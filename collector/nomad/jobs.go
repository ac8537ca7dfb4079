package nomad

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Job spec cache bounds. Allocation events carry no job
// (docs/nomad-behaviour.md), so specs come from Job events and, on a miss,
// from /v1/job/:id/versions.
const (
	// maxJobVersions is how many of a job's newest versions a read of
	// /versions keeps: enough for a rollout from an old version to a new
	// one, and then some.
	maxJobVersions = 4
	// maxSpecs bounds the whole cache. Least recently used specs go first:
	// a version no allocation runs any more is never asked for again.
	maxSpecs = 4096
	// maxRegistrations is how many of a job's newest registrations
	// (version and JobModifyIndex, no spec) are remembered for
	// resolveVersion: a rollout spans two, a few more cover quick
	// successive updates.
	maxRegistrations = 8
)

// registration is one version of a job as the servers registered it. When
// it was registered (JobModifyIndex) is all resolveVersion needs, and
// every reading of a job spec gives it: Job events, job reads and
// /versions (not the job list, which names no version). It is kept apart
// from the specs so that a version whose spec the cache lacks (evicted)
// still resolves.
type registration struct {
	version     uint64
	modifyIndex uint64 // JobModifyIndex
}

// jobSpecs caches job specs by (namespace, job, version), least recently
// used out first, and remembers which versions of each job it holds so a
// deregistered job is forgotten whole. Safe for concurrent use.
type jobSpecs struct {
	mu       sync.Mutex
	cache    *lru.Cache[string, *apiJob]
	versions map[string][]uint64 // namespace\x00id → versions held
	// registrations are each job's newest registrations known, oldest
	// first (by JobModifyIndex), spec cached or not. Bounded per job by
	// maxRegistrations; jobs leave with forget and retain.
	registrations map[string][]registration
}

func newJobSpecs() *jobSpecs {
	j := &jobSpecs{versions: map[string][]uint64{}, registrations: map[string][]registration{}}
	// The eviction callback runs inside the cache's calls, which run under
	// j.mu: it may touch j.versions without locking again.
	j.cache, _ = lru.NewWithEvict(maxSpecs, func(_ string, job *apiJob) { j.dropVersion(job) })
	return j
}

func jobID(namespace, id string) string { return namespace + "\x00" + id }

// dropVersion removes an evicted version from the job's list. j.mu is held.
func (j *jobSpecs) dropVersion(job *apiJob) {
	id := jobID(job.Namespace, job.ID)
	vs := slices.DeleteFunc(j.versions[id], func(v uint64) bool { return v == job.Version })
	if len(vs) == 0 {
		delete(j.versions, id)
		return
	}
	j.versions[id] = vs
}

// put stores a job version (replacing what was held for it).
func (j *jobSpecs) put(job *apiJob) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.putLocked(job)
}

func (j *jobSpecs) putLocked(job *apiJob) {
	j.registeredLocked(job.Namespace, job.ID, registration{job.Version, job.JobModifyIndex})
	k := jobKey(job.Namespace, job.ID, job.Version)
	if j.cache.Contains(k) {
		j.cache.Add(k, job)
		return
	}
	id := jobID(job.Namespace, job.ID)
	j.versions[id] = append(j.versions[id], job.Version)
	j.cache.Add(k, job)
}

// registeredAtIndex returns the spec of the job's version registered at
// jmi (a job list's JobModifyIndex: the list does not name the version),
// or nil when that registration or its spec is not held.
func (j *jobSpecs) registeredAtIndex(namespace, id string, jmi uint64) *apiJob {
	for _, r := range j.registrationsOf(namespace, id) {
		if r.modifyIndex == jmi {
			return j.specOf(namespace, id, r)
		}
	}
	return nil
}

// registeredLocked adds one registration, unless known or unusable (no
// JobModifyIndex), keeping the job's newest maxRegistrations. A job purged
// and registered again starts again at version 0 with a later
// JobModifyIndex, so a version number may appear twice: each registration
// is its own entry, and order is by JobModifyIndex. j.mu is held.
func (j *jobSpecs) registeredLocked(namespace, id string, r registration) {
	if r.modifyIndex == 0 {
		return
	}
	k := jobID(namespace, id)
	regs := j.registrations[k]
	if slices.Contains(regs, r) {
		return
	}
	regs = append(regs, r)
	slices.SortFunc(regs, func(a, b registration) int { return cmp.Compare(a.modifyIndex, b.modifyIndex) })
	if len(regs) > maxRegistrations {
		regs = slices.Delete(regs, 0, len(regs)-maxRegistrations)
	}
	j.registrations[k] = regs
}

// registrationsOf returns the registrations known for a job, oldest first.
func (j *jobSpecs) registrationsOf(namespace, id string) []registration {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.registrations[jobID(namespace, id)])
}

// allRegistrations copies every job's registrations known.
func (j *jobSpecs) allRegistrations() map[string][]registration {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make(map[string][]registration, len(j.registrations))
	for k, regs := range j.registrations {
		out[k] = slices.Clone(regs)
	}
	return out
}

// get returns a cached job version, or nil; a hit counts as a use.
func (j *jobSpecs) get(namespace, id string, version uint64) *apiJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, _ := j.cache.Get(jobKey(namespace, id, version))
	return job
}

// specOf returns the cached spec of a registration, or nil: one whose
// JobModifyIndex differs is another registration of the same version
// number (the job was purged and registered again). A registration
// without JobModifyIndex (the model's version) takes the cached one.
func (j *jobSpecs) specOf(namespace, id string, r registration) *apiJob {
	job := j.get(namespace, id, r.version)
	if job == nil || r.modifyIndex != 0 && job.JobModifyIndex != r.modifyIndex {
		return nil
	}
	return job
}

// forget drops every version of a job (it was deregistered).
func (j *jobSpecs) forget(namespace, id string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, v := range slices.Clone(j.versions[jobID(namespace, id)]) {
		j.cache.Remove(jobKey(namespace, id, v))
	}
	delete(j.versions, jobID(namespace, id))
	delete(j.registrations, jobID(namespace, id))
}

// retain forgets every job not in live (namespace\x00id keys): after a
// re-read of the job list, what is missing was deregistered while netviz was
// not listening.
func (j *jobSpecs) retain(live map[string]bool) {
	j.mu.Lock()
	gone := map[string]bool{}
	for id := range j.versions {
		if !live[id] {
			gone[id] = true
		}
	}
	for id := range j.registrations {
		if !live[id] {
			gone[id] = true
		}
	}
	j.mu.Unlock()
	for id := range gone {
		ns, name := splitJobID(id)
		j.forget(ns, name)
	}
}

func splitJobID(id string) (namespace, name string) {
	for i := 0; i < len(id); i++ {
		if id[i] == 0 {
			return id[:i], id[i+1:]
		}
	}
	return "", id
}

// len is how many job versions the cache holds.
func (j *jobSpecs) len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.cache.Len()
}

// fetch returns the job version, reading the job's versions on a miss
// (readVersions). A job that no longer exists gives nil and no error: its
// allocations are still shown, without task details. It does I/O: never
// call it from the event loop (see specFetcher).
func (j *jobSpecs) fetch(ctx context.Context, api *httpAPI, namespace, id string, version uint64) (*apiJob, error) {
	if job := j.get(namespace, id, version); job != nil {
		return job, nil
	}
	return j.readVersions(ctx, api, namespace, id, version)
}

// readVersions reads /v1/job/:id/versions, records every registration it
// lists, keeps the specs of the newest maxJobVersions plus the one asked
// for, and returns that one (nil if Nomad no longer has it).
func (j *jobSpecs) readVersions(ctx context.Context, api *httpAPI, namespace, id string, version uint64) (*apiJob, error) {
	var resp struct{ Versions []*apiJob }
	path := "/v1/job/" + url.PathEscape(id) + "/versions"
	if _, err := api.get(ctx, path, namespace, &resp); err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("job %s versions: %w", id, err)
	}
	// Versions come newest first. Put the oldest kept first, so the newest
	// are the most recently used.
	var found *apiJob
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := len(resp.Versions) - 1; i >= 0; i-- {
		v := resp.Versions[i]
		j.registeredLocked(v.Namespace, v.ID, registration{v.Version, v.JobModifyIndex})
		if i >= maxJobVersions && v.Version != version {
			continue
		}
		j.putLocked(v)
		if v.Version == version {
			found = v
		}
	}
	return found, nil
}
