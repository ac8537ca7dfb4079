package nomad

import "github.com/netviz/netviz/collector/model"

// jobUnchangedEvents are the allocation event types whose write never
// changes the job an allocation runs, though it moves its
// AllocModifyIndex: Nomad 1.6.2 sets a desired transition (drain,
// migrate, reschedule: "AllocationUpdateDesiredStatus") and promotes
// canaries ("DeploymentPromotion") on the stored allocation as it is, and
// only the plan's upserts attach a job (docs/nomad-behaviour.md, "Which
// version an allocation runs").
var jobUnchangedEvents = map[string]bool{
	"AllocationUpdateDesiredStatus": true,
	"DeploymentPromotion":           true,
}

// resolveVersion says which job version an allocation read from the event
// stream runs, and whether that is known. Nomad's allocation events carry
// neither the job nor its version (the list's stubs do), and an in-place
// update moves a running allocation to a new version.
//
// The servers attach a job to an allocation only when a plan writes it,
// which moves its AllocModifyIndex, and a plan runs on a job registered
// before it. So the version is the newest registration known at or before
// the allocation's AllocModifyIndex (registrations come from Job events,
// the job list of every read and the job reads; they need no spec). Order
// is by JobModifyIndex, not version number: a job purged and registered
// again counts from version 0.
//
// Exceptions, where the allocation keeps the version the model holds for
// it:
//   - writes that never change the job (jobUnchangedEvents) though they
//     move AllocModifyIndex;
//   - a server-side stop: a destructive update registers the new version,
//     then a later plan stops the old allocations, which still run the
//     old one (found by the churn oracle: anti-entropy counted such an
//     allocation shown at the new version until it stopped);
//   - no registration known at or before AllocModifyIndex, while the
//     servers have not changed the allocation since the model read it.
//
// When a registration could be missing after the one found
// (registeredAt's gap), and in every other case, the version is not known
// (ok false): the caller keeps the model's version meanwhile and asks for
// the job's /versions. The registration returned has no JobModifyIndex
// when it is the model's.
func (s *Source) resolveVersion(a *apiAlloc, cur *model.Allocation, eventType string) (r registration, ok bool) {
	sameJob := cur != nil && cur.JobID == a.JobID && cur.Namespace == a.Namespace
	if sameJob && (jobUnchangedEvents[eventType] || a.DesiredStatus != "" && a.DesiredStatus != "run") {
		return registration{version: cur.JobVersion}, true
	}
	if r, ok, gap := registeredAt(s.jobs.registrationsOf(a.Namespace, a.JobID), a.AllocModifyIndex); ok && !gap {
		return r, true
	} else if gap {
		return registration{}, false
	}
	if sameJob && a.AllocModifyIndex <= cur.ModifyIndex {
		return registration{version: cur.JobVersion}, true
	}
	return registration{}, false
}

// registeredAt is the newest of regs (oldest first) registered at or
// before index. gap reports that a registration may be missing between it
// and the next one known, which could then be the one: a job's versions
// count up by one with each registration, so a next one known that is
// neither the following number nor a 0 (the job purged and registered
// again) means some were not seen (their Job events lost with a dropped
// stream; a catch-up reads only the current one).
func registeredAt(regs []registration, index uint64) (r registration, ok, gap bool) {
	for i := len(regs) - 1; i >= 0; i-- {
		if regs[i].modifyIndex <= index {
			if i+1 < len(regs) {
				next := regs[i+1].version
				gap = next != regs[i].version+1 && next != 0
			}
			return regs[i], true, gap
		}
	}
	return registration{}, false, false
}
