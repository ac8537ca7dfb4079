package model

import (
	"cmp"
	"slices"
)

// Wildcard is the name that matches any service in an intention.
const Wildcard = "*"

// IntentionPrecedence is Consul's precedence table: exact beats wildcard,
// the destination weighs more than the source and the namespace more than the
// name. An empty namespace is the exact default namespace (Consul CE, where
// namespaces are not in play: only 9, 8, 6 and 5 occur). Producers use it
// for intentions whose precedence Consul did not report, and the store for
// intentions that arrive with Precedence 0.
//
//	src ns  src name  dst ns  dst name  precedence
//	exact   exact     exact   exact     9
//	exact   *         exact   exact     8
//	*       *         exact   exact     7
//	exact   exact     exact   *         6
//	exact   *         exact   *         5
//	*       *         exact   *         4
//	exact   exact     *       *         3
//	exact   *         *       *         2
//	*       *         *       *         1
func IntentionPrecedence(srcNS, src, dstNS, dst string) int {
	return exactness(dstNS, dst)*3 + exactness(srcNS, src) + 1
}

// exactness ranks one side of an intention: 0 for */*, 1 for ns/*, 2 for
// ns/name.
func exactness(namespace, name string) int {
	switch {
	case namespace == Wildcard:
		return 0
	case name == Wildcard:
		return 1
	default:
		return 2
	}
}

// sortIntentions returns a sorted copy of in, with missing precedences filled
// in: precedence descending, then source, then destination.
func sortIntentions(in []Intention) []Intention {
	out := make([]Intention, len(in))
	copy(out, in)
	for i := range out {
		if out[i].Precedence == 0 {
			out[i].Precedence = IntentionPrecedence("", out[i].Source, "", out[i].Destination)
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
