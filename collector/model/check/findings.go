package check

import (
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// diffFindings returns the findings after the change that were not there
// before, and those gone. A finding is matched by its code and subjects,
// with each allocation named by its namespace/job/group (and each task by
// that and its name): the new version's allocations have other IDs than
// the running one's, and a finding about the same group and port is the
// same finding. Repeats count: two conflicts where one was is one added.
func diffFindings(before, after *model.Snapshot, wb, wa []model.Warning) FindingDiff {
	count := map[string]int{}
	for _, w := range wb {
		count[findingKey(before, w)]++
	}
	d := FindingDiff{Added: []model.Warning{}, Removed: []model.Warning{}}
	for _, w := range wa {
		k := findingKey(after, w)
		if count[k] > 0 {
			count[k]--
			continue
		}
		d.Added = append(d.Added, w)
	}
	// What is left in count was before and is not after.
	for _, w := range wb {
		k := findingKey(before, w)
		if count[k] > 0 {
			count[k]--
			d.Removed = append(d.Removed, w)
		}
	}
	return d
}

// findingKey is a finding's identity across versions of a job.
func findingKey(s *model.Snapshot, w model.Warning) string {
	parts := []string{w.Code}
	for _, subj := range w.Subjects {
		parts = append(parts, stableSubject(s, subj))
	}
	return strings.Join(parts, "\x00")
}

// stableSubject names an allocation or task subject by its group, which a
// new version keeps, rather than by its ID, which it does not.
func stableSubject(s *model.Snapshot, subj string) string {
	if id, ok := strings.CutPrefix(subj, "alloc/"); ok {
		if a := s.Allocation(id); a != nil {
			return "group/" + a.Namespace + "/" + a.Group()
		}
	}
	if rest, ok := strings.CutPrefix(subj, "task/"); ok {
		if id, task, ok := strings.Cut(rest, "/"); ok {
			if a := s.Allocation(id); a != nil {
				return "task/" + a.Namespace + "/" + a.Group() + "/" + task
			}
		}
	}
	return subj
}

// sortedCounts yields a map's entries in key order.
func sortedCounts(m map[string]int) iter.Seq2[string, int] {
	return func(yield func(string, int) bool) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}
