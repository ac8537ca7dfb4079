package model

import (
	"cmp"
	"slices"
)

// Wildcard is the name that matches any service in an intention.
const Wildcard = "*"

// Consul's precedence for intentions between services of one namespace: an
// exact destination beats a wildcard one, then an exact source beats a
// wildcard one.
const (
	precedenceExactExact       = 9
	precedenceWildcardSource   = 8
	precedenceWildcardDest     = 6
	precedenceWildcardWildcard = 5
)

// intentionPrecedence is the precedence Consul gives an intention by the shape
// of its names; it fills in intentions whose Precedence the producer left 0.
func intentionPrecedence(source, destination string) int {
	switch {
	case source != Wildcard && destination != Wildcard:
		return precedenceExactExact
	case source == Wildcard && destination != Wildcard:
		return precedenceWildcardSource
	case source != Wildcard:
		return precedenceWildcardDest
	default:
		return precedenceWildcardWildcard
	}
}

// sortIntentions returns a sorted copy of in, with missing precedences filled
// in: precedence descending, then source, then destination.
func sortIntentions(in []Intention) []Intention {
	out := make([]Intention, len(in))
	copy(out, in)
	for i := range out {
		if out[i].Precedence == 0 {
			out[i].Precedence = intentionPrecedence(out[i].Source, out[i].Destination)
		}
	}
	slices.SortFunc(out, func(a, b Intention) int {
		return cmp.Or(
			cmp.Compare(b.Precedence, a.Precedence),
			cmp.Compare(a.Source, b.Source),
			cmp.Compare(a.Destination, b.Destination),
		)
	})
	return out
}

// IntentionFor returns the action Consul takes for a connection from source to
// destination: that of the highest-precedence intention whose names match
// (exactly or by "*"), or, when none matches, the default (allow or deny) with
// a nil intention. The returned intention points into the snapshot: read only.
func (s *Snapshot) IntentionFor(source, destination string) (action string, matched *Intention) {
	for i := range s.intentions {
		in := &s.intentions[i]
		if (in.Source == source || in.Source == Wildcard) &&
			(in.Destination == destination || in.Destination == Wildcard) {
			return in.Action, in
		}
	}
	if s.defaultAllow {
		return ActionAllow, nil
	}
	return ActionDeny, nil
}
