package model

import (
	"cmp"
	"slices"
	"sync"
)

// Lint inspects a snapshot and reports findings. Lints must only read the
// snapshot, and must be deterministic: the same snapshot gives the same warnings.
type Lint func(*Snapshot) []Warning

// lints is the registry of lints run by Snapshot.Warnings. It is package
// state on purpose: lints are code, registered from init functions of the
// files that define them, so a new lint needs no change to the core.
var lints struct {
	mu   sync.RWMutex
	list []Lint
}

// RegisterLint adds a lint to every snapshot's Warnings. Call it from init.
func RegisterLint(l Lint) {
	lints.mu.Lock()
	defer lints.mu.Unlock()
	lints.list = append(lints.list, l)
}

func registeredLints() []Lint {
	lints.mu.RLock()
	defer lints.mu.RUnlock()
	return slices.Clone(lints.list)
}

// severityRank orders severities, most serious first.
func severityRank(s Severity) int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	default:
		return 2
	}
}

// Warnings returns the findings of every registered lint, sorted by severity
// (errors first), code, then subjects. They are computed on the first call
// and kept for the snapshot.
func (s *Snapshot) Warnings() []Warning {
	s.warnOnce.Do(func() {
		out := []Warning{}
		for _, l := range registeredLints() {
			for _, w := range l(s) {
				w.Subjects = nonNil(w.Subjects)
				out = append(out, w)
			}
		}
		slices.SortStableFunc(out, func(a, b Warning) int {
			return cmp.Or(
				cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)),
				cmp.Compare(a.Code, b.Code),
				slices.Compare(a.Subjects, b.Subjects),
				cmp.Compare(a.Message, b.Message),
			)
		})
		s.warnings = out
	})
	return slices.Clone(s.warnings)
}
