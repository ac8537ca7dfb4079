package nomad

import (
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
)

// jobSpecs caches job specs by (namespace, job, version), least recently
// used out first, and remembers which versions of each job it holds so a
// deregistered job is forgotten whole. Safe for concurrent use.
type jobSpecs struct {
	mu       sync.Mutex
	cache    *lru.Cache[string, *apiJob]
	versions map[string][]uint64 // namespace\x00id → versions held
}

func newJobSpecs() *jobSpecs {
	j := &jobSpecs{versions: map[string][]uint64{}}
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
	k := jobKey(job.Namespace, job.ID, job.Version)
	if j.cache.Contains(k) {
		j.cache.Add(k, job)
		return
	}
	id := jobID(job.Namespace, job.ID)
	j.versions[id] = append(j.versions[id], job.Version)
	j.cache.Add(k, job)
}

// get returns a cached job version, or nil; a hit counts as a use.
func (j *jobSpecs) get(namespace, id string, version uint64) *apiJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, _ := j.cache.Get(jobKey(namespace, id, version))
	return job
}

// versionsOf returns the versions of a job the cache holds, without
// counting as a use.
func (j *jobSpecs) versionsOf(namespace, id string) []*apiJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*apiJob
	for _, v := range j.versions[jobID(namespace, id)] {
		if job, ok := j.cache.Peek(jobKey(namespace, id, v)); ok {
			out = append(out, job)
		}
	}
	return out
}

// forget drops every version of a job (it was deregistered).
func (j *jobSpecs) forget(namespace, id string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, v := range slices.Clone(j.versions[jobID(namespace, id)]) {
		j.cache.Remove(jobKey(namespace, id, v))
	}
	delete(j.versions, jobID(namespace, id))
}

// retain forgets every job not in live (namespace\x00id keys): after a
// re-read of the job list, what is missing was deregistered while netviz was
// not listening.
func (j *jobSpecs) retain(live map[string]bool) {
	j.mu.Lock()
	var gone []string
	for id := range j.versions {
		if !live[id] {
			gone = append(gone, id)
		}
	}
	j.mu.Unlock()
	for _, id := range gone {
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

// fetch returns the job version, reading /v1/job/:id/versions on a miss and
// keeping the newest maxJobVersions versions it lists, plus the one asked
// for. A job that no longer exists gives nil and no error: its allocations
// are still shown, without task details. It does I/O: never call it from
// the event loop (see specFetcher).
func (j *jobSpecs) fetch(ctx context.Context, api *httpAPI, namespace, id string, version uint64) (*apiJob, error) {
	if job := j.get(namespace, id, version); job != nil {
		return job, nil
	}
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
