package check

import (
	"maps"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/reach"
)

// maxReachPairs bounds the pairs asked per side: each is a reach answer
// over the pair's allocations, and a job with many services in a big
// cluster would otherwise ask for thousands.
const maxReachPairs = 400

// reachChanges asks reach for every pair of services with one end in the
// job (old or new), before and after, and keeps those whose verdict
// changes. A pair with a side where a service does not exist is kept only
// when one end declares a link to the other (an upstream or a registry
// query): a new service is not news for every other service in the cluster.
// truncated is true when there were more pairs than maxReachPairs.
func reachChanges(before, after *model.Snapshot, old, allocs []*model.Allocation) (changes []ReachChange, truncated bool) {
	mine := map[string]bool{}
	for _, a := range append(slices.Clone(old), allocs...) {
		for _, spec := range a.Services {
			if !strings.HasSuffix(spec.Name, "-sidecar-proxy") {
				mine[spec.Name] = true
			}
		}
	}
	all := append(serviceNames(before), serviceNames(after)...)
	links := declaredLinks(old)
	for k := range declaredLinks(allocs) {
		links[k] = true
	}
	var pairs [][2]string
	for _, s := range sortedNames(slices.Collect(maps.Keys(mine))) {
		for _, o := range sortedNames(all) {
			if o == s {
				continue
			}
			pairs = append(pairs, [2]string{s, o})
			if !mine[o] {
				pairs = append(pairs, [2]string{o, s})
			}
		}
	}
	out := []ReachChange{}
	if len(pairs) > maxReachPairs {
		pairs, truncated = pairs[:maxReachPairs], true
	}
	for _, p := range pairs {
		b, _ := verdict(before, p[0], p[1])
		a, reason := verdict(after, p[0], p[1])
		if a == b || (a == Absent || b == Absent) && !links[p] {
			continue
		}
		out = append(out, ReachChange{From: p[0], To: p[1], Before: b, After: a, Reason: reason})
	}
	return out, truncated
}

// verdict asks reach about a pair; Absent when either end does not resolve.
func verdict(s *model.Snapshot, from, to string) (string, string) {
	res, err := reach.Between(s, from, to)
	if err != nil {
		return Absent, ""
	}
	return string(res.Verdict), res.Reason
}

// serviceNames are the declared services reach knows, as its matrix lists
// them (a one-cell window: only the names are wanted).
func serviceNames(s *model.Snapshot) []string {
	return reach.MatrixOf(s, reach.Window{Size: 1}).Services
}

// declaredLinks are the (service, target) pairs the allocations declare: a
// Connect upstream, or a template query of a registry.
func declaredLinks(allocs []*model.Allocation) map[[2]string]bool {
	out := map[[2]string]bool{}
	for _, a := range allocs {
		var targets []string
		for _, spec := range a.MeshSpecs("") {
			for _, u := range spec.Connect.Upstreams {
				targets = append(targets, u.DestinationName)
			}
		}
		for _, t := range a.Tasks {
			for _, r := range t.Refs {
				if r.Kind.Provider() != "" {
					targets = append(targets, r.Target)
				}
			}
		}
		for _, spec := range a.Services {
			for _, t := range targets {
				out[[2]string{spec.Name, t}] = true
			}
		}
	}
	return out
}
