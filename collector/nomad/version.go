package nomad

import "github.com/netviz/netviz/collector/model"

// resolveVersion says which job version an allocation read from the event
// stream runs. Nomad's allocation events carry neither the job nor its
// version (the list's stubs do), and an in-place update moves a running
// allocation to a new version. The servers change an allocation
// (AllocModifyIndex) only after registering the version it then runs
// (JobModifyIndex), so the version is the newest one registered at or
// before the allocation's AllocModifyIndex. Without such a version in the
// cache, an allocation the servers have not changed since the model read
// it (its AllocModifyIndex is no later than the reading's ModifyIndex,
// which every change moves) keeps the version the model holds; failing
// that, ok is false, unless newest is set (the cache was just filled from
// the job's /versions, which lists them all): then the newest version is
// the best guess.
//
// A server-side stop is the exception: a destructive update registers the
// new version, then a later plan stops the old allocations, moving their
// AllocModifyIndex past the new version's JobModifyIndex while they still
// run the old one. An allocation the servers want stopped keeps the
// version the model holds (found by the churn oracle: anti-entropy counted
// such an allocation as a divergence, shown at the new version until it
// stopped).
func (s *Source) resolveVersion(a *apiAlloc, cur *model.Allocation, newest bool) (version uint64, ok bool) {
	if cur != nil && cur.JobID == a.JobID && cur.Namespace == a.Namespace && a.DesiredStatus != "" && a.DesiredStatus != "run" {
		return cur.JobVersion, true
	}
	versions := s.jobs.versionsOf(a.Namespace, a.JobID)
	var best *apiJob
	for _, j := range versions {
		if j.JobModifyIndex > 0 && j.JobModifyIndex <= a.AllocModifyIndex && (best == nil || j.Version > best.Version) {
			best = j
		}
	}
	switch {
	case best != nil:
		return best.Version, true
	case cur != nil && cur.JobID == a.JobID && cur.Namespace == a.Namespace && a.AllocModifyIndex <= cur.ModifyIndex:
		return cur.JobVersion, true
	}
	if !newest {
		return 0, false
	}
	for _, j := range versions {
		if best == nil || j.Version > best.Version {
			best = j
		}
	}
	if best != nil {
		return best.Version, true
	}
	return 0, false
}
