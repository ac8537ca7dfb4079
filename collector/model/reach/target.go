package reach

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// ErrNoMatch is returned (wrapped) when a Reach argument names nothing in the model.
var ErrNoMatch = errors.New("matches no service, job/group or allocation")

// AmbiguousError is returned when a Reach argument names more than one thing.
type AmbiguousError struct {
	Input string
	// Candidates are unambiguous names to use instead, sorted.
	Candidates []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%q is ambiguous; use one of: %s", e.Input, strings.Join(e.Candidates, ", "))
}

// endpoint is a resolved Reach argument: a pseudo-source, or allocations,
// optionally narrowed to one service (whose port and mesh identity count).
type endpoint struct {
	pseudo  string
	service string
	allocs  []*model.Allocation
}

// resolve turns a Reach argument into an endpoint. The order is: pseudo
// source, exact service name, job/group, namespace/job/group, allocation ID
// prefix; each must designate one group of allocations.
func resolve(s *model.Snapshot, in string, source bool) (endpoint, error) {
	if in == "" {
		return endpoint{}, fmt.Errorf("empty name: %w", ErrNoMatch)
	}
	if source && (in == FromHost || in == FromExternal) {
		return endpoint{pseudo: in}, nil
	}
	if allocs := allocsDeclaring(s, in); len(allocs) > 0 {
		if err := oneNamespace(in, allocs, func(a *model.Allocation) string { return a.Namespace + "/" + a.Group() }); err != nil {
			return endpoint{}, err
		}
		return endpoint{service: in, allocs: allocs}, nil
	}
	if parts := strings.Split(in, "/"); len(parts) == 2 || len(parts) == 3 {
		var allocs []*model.Allocation
		for _, a := range s.Allocations() {
			if !a.Live() {
				continue
			}
			if len(parts) == 2 && a.Group() == in || len(parts) == 3 && a.Namespace+"/"+a.Group() == in {
				allocs = append(allocs, a)
			}
		}
		if len(allocs) > 0 {
			err := oneNamespace(in, allocs, func(a *model.Allocation) string { return a.Namespace + "/" + a.Group() })
			return endpoint{allocs: allocs}, err
		}
	}
	var allocs []*model.Allocation
	for _, a := range s.AllocationsByPrefix(in) {
		if a.Live() {
			allocs = append(allocs, a)
		}
	}
	if len(allocs) == 0 {
		return endpoint{}, fmt.Errorf("%q %w", in, ErrNoMatch)
	}
	if err := oneNamespace(in, allocs, func(a *model.Allocation) string { return a.ID }); err != nil {
		return endpoint{}, err
	}
	return endpoint{allocs: allocs}, nil
}

// oneNamespace fails with the candidates when allocs span more than one
// Nomad namespace or job/group; name gives each allocation's unambiguous name.
func oneNamespace(in string, allocs []*model.Allocation, name func(*model.Allocation) string) error {
	groups := map[string]bool{}
	for _, a := range allocs {
		groups[a.Namespace+"/"+a.Group()] = true
	}
	if len(groups) < 2 {
		return nil
	}
	var cands []string
	for _, a := range allocs {
		cands = append(cands, name(a))
	}
	slices.Sort(cands)
	return &AmbiguousError{Input: in, Candidates: slices.Compact(cands)}
}

// allocsDeclaring returns the live allocations whose job spec declares the
// service, or that registered an instance of it.
func allocsDeclaring(s *model.Snapshot, name string) []*model.Allocation {
	seen := map[string]bool{}
	var out []*model.Allocation
	add := func(a *model.Allocation) {
		if a != nil && a.Live() && !seen[a.ID] {
			seen[a.ID] = true
			out = append(out, a)
		}
	}
	for _, a := range s.Allocations() {
		for _, spec := range a.Services {
			if spec.Name == name {
				add(a)
			}
		}
	}
	for _, svc := range s.ServicesNamed(name) {
		if svc.AllocID != "" {
			add(s.Allocation(svc.AllocID))
		}
	}
	slices.SortFunc(out, model.CompareAllocs)
	return out
}
