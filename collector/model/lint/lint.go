package lint

import (
	"cmp"
	"slices"

	"github.com/netviz/netviz/collector/model"
)

// Lint is one rule over a whole snapshot. Check must only read the
// snapshot and be deterministic: the same snapshot gives the same warnings.
type Lint struct {
	// Name says what the rule looks for, for logs and tests.
	Name  string
	Check func(*model.Snapshot) []model.Warning
}

// All is every lint netviz runs, in no particular order (Run sorts).
var All = []Lint{
	{Name: "connect-port", Check: connectPortLint},
	{Name: "docker-ports", Check: dockerPortLint},
	{Name: "host-network", Check: hostNetworkOpen},
	{Name: "mesh-bypass", Check: meshBypassLint},
	{Name: "bridge-peer", Check: bridgePeerLint},
	{Name: "missing-ref", Check: missingRefLint},
	{Name: "port-conflict", Check: portConflicts},
	{Name: "static-port", Check: staticPortLint},
	{Name: "upstream", Check: upstreamLint},
	{Name: "upstream-unused", Check: upstreamUnusedLint},
	{Name: "mesh-bypass-observed", Check: meshBypassObservedLint},
	{Name: "undeclared-dependency", Check: undeclaredDependencyLint},
	{Name: "listening-unexpected", Check: listeningUnexpectedLint},
}

// warningsKey keys the snapshot's memo of Warnings.
type warningsKey struct{}

// Warnings returns the findings of every lint in All, sorted as Run sorts
// them. They are computed on the first call and kept for the snapshot.
func Warnings(s *model.Snapshot) []model.Warning {
	w := s.Memo(warningsKey{}, func() any { return Run(s, All) }).([]model.Warning)
	return slices.Clone(w)
}

// Run returns the findings of the given lints, sorted by severity (errors
// first), code, subjects, then message.
func Run(s *model.Snapshot, lints []Lint) []model.Warning {
	out := []model.Warning{}
	for _, l := range lints {
		for _, w := range l.Check(s) {
			w.Subjects = model.NonNil(w.Subjects)
			out = append(out, w)
		}
	}
	slices.SortStableFunc(out, func(a, b model.Warning) int {
		return cmp.Or(
			cmp.Compare(b.Severity.Rank(), a.Severity.Rank()), // most serious first
			cmp.Compare(a.Code, b.Code),
			slices.Compare(a.Subjects, b.Subjects),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return out
}
