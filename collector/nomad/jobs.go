package nomad

import (
	"context"
	"fmt"
	"net/url"
	"sync"
)

// maxJobVersions bounds how many versions of one job the spec cache keeps:
// enough for a rollout from an old version to a new one, and then some.
const maxJobVersions = 4

// jobSpecs caches job specs by (namespace, job, version). Allocation events
// carry no job (docs/nomad-behaviour.md), so specs come from Job events and,
// on a miss, from /v1/job/:id/versions.
type jobSpecs struct {
	mu       sync.Mutex
	byKey    map[string]*apiJob
	versions map[string][]uint64 // namespace\x00id → versions held, oldest first
}

func newJobSpecs() *jobSpecs {
	return &jobSpecs{byKey: map[string]*apiJob{}, versions: map[string][]uint64{}}
}

// put stores a job version, evicting the oldest beyond maxJobVersions.
func (j *jobSpecs) put(job *apiJob) {
	j.mu.Lock()
	defer j.mu.Unlock()
	k := jobKey(job.Namespace, job.ID, job.Version)
	if _, ok := j.byKey[k]; ok {
		j.byKey[k] = job
		return
	}
	j.byKey[k] = job
	id := job.Namespace + "\x00" + job.ID
	vs := append(j.versions[id], job.Version)
	for len(vs) > maxJobVersions {
		delete(j.byKey, jobKey(job.Namespace, job.ID, vs[0]))
		vs = vs[1:]
	}
	j.versions[id] = vs
}

// get returns a cached job version or nil.
func (j *jobSpecs) get(namespace, id string, version uint64) *apiJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.byKey[jobKey(namespace, id, version)]
}

// forget drops every version of a job (it was purged).
func (j *jobSpecs) forget(namespace, id string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	key := namespace + "\x00" + id
	for _, v := range j.versions[key] {
		delete(j.byKey, jobKey(namespace, id, v))
	}
	delete(j.versions, key)
}

// fetch returns the job version, reading /v1/job/:id/versions on a miss.
// A job that no longer exists gives nil and no error: its allocations are
// still shown, without task details.
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
	var found *apiJob
	// Versions come newest first; keep the newest few.
	for i := len(resp.Versions) - 1; i >= 0; i-- {
		v := resp.Versions[i]
		if len(resp.Versions)-i > maxJobVersions && v.Version != version {
			continue
		}
		j.put(v)
		if v.Version == version {
			found = v
		}
	}
	return found, nil
}
