package reach

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// Verdict is the answer to "can A reach B?".
type Verdict string

// Verdicts, from best to worst for the asker. A result's verdict is the best
// verdict of its paths: one open path is enough to reach a service.
const (
	// VerdictReachable: a path exists and nothing the model knows blocks it.
	VerdictReachable Verdict = "reachable"
	// VerdictBlocked: the only paths are refused by policy (a deny intention).
	VerdictBlocked Verdict = "blocked"
	// VerdictUnknown: the model lacks a fact that decides it (an address not
	// yet known, a bind address it cannot see, routing between datacenters).
	VerdictUnknown Verdict = "unknown"
	// VerdictUnreachable: no path leads there.
	VerdictUnreachable Verdict = "unreachable"
)

// verdictRank orders verdicts for combining paths: lower is better.
func verdictRank(v Verdict) int {
	switch v {
	case VerdictReachable:
		return 0
	case VerdictBlocked:
		return 1
	case VerdictUnknown:
		return 2
	default:
		return 3
	}
}

// Kinds of path.
const (
	// PathSameNamespace: both ends share the allocation's network namespace.
	PathSameNamespace = "same-namespace"
	// PathHostPort: a port bound on the node's address (host mode, or a
	// bridge/CNI port mapped to the host).
	PathHostPort = "host-port"
	// PathNamespaceIP: straight to the destination namespace's own address,
	// which only its node routes.
	PathNamespaceIP = "namespace-ip"
	// PathMesh: through the source's Connect upstream and both sidecars.
	PathMesh = "mesh"
	// PathDiscovery: a registry lookup tells the source where the target is.
	PathDiscovery = "discovery"
	// PathIngress: outside traffic through an ingress router's static port.
	PathIngress = "ingress"
)

// Kinds of hop.
const (
	HopExternal  = "external"
	HopHost      = "host"
	HopTask      = "task"
	HopNamespace = "namespace"
	HopPort      = "port"
	HopListener  = "listener"
	HopSidecar   = "sidecar"
	HopIntention = "intention"
	HopRegistry  = "registry"
	HopIngress   = "ingress"
	HopService   = "service"
)

// Hop is one step of a path, in the order traffic flows.
type Hop struct {
	Kind string `json:"kind"`
	// Key is the model key of the object (alloc/…, task/…, service/…), if any.
	Key   string `json:"key,omitempty"`
	Label string `json:"label"`
	// Blocked marks the hop that stops the traffic.
	Blocked bool `json:"blocked,omitempty"`
}

// Path is one way from the source to the target, with its own verdict.
type Path struct {
	Kind    string  `json:"kind"`
	Verdict Verdict `json:"verdict"`
	// FromAlloc and ToAlloc are the allocations at the ends; FromAlloc is
	// empty for the pseudo-sources "host" and "external".
	FromAlloc string `json:"from_alloc,omitempty"`
	ToAlloc   string `json:"to_alloc"`
	// Address is what the source dials ("ip:port"); empty when not known.
	Address string `json:"address,omitempty"`
	Hops    []Hop  `json:"hops"`
	Reason  string `json:"reason"`
}

// ReachResult answers Reach: the verdict, every path found, and the warnings
// that concern them.
type Result struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Verdict Verdict `json:"verdict"`
	// Reason is one human sentence explaining the verdict.
	Reason string `json:"reason"`
	Paths  []Path `json:"paths"`
	// Groups are the paths grouped by what they say (see GroupPaths):
	// what a reader wants when many allocation pairs share one story.
	Groups   []PathGroup     `json:"groups"`
	Warnings []model.Warning `json:"warnings"`
}

// Pseudo-sources accepted as Reach's from.
const (
	// FromHost is a process in a node's own network namespace.
	FromHost = "host"
	// FromExternal is a client outside the cluster that routes to the nodes.
	FromExternal = "external"
)

// Reach answers "can from reach to?". Both accept a service name, "job/group"
// (or "namespace/job/group"), or an allocation ID prefix; from also accepts
// "host" (the destination's node itself) and "external" (outside the
// cluster). A name that means more than one thing returns an *AmbiguousError.
func Between(s *model.Snapshot, from, to string) (Result, error) {
	src, err := resolve(s, from, true)
	if err != nil {
		return Result{}, fmt.Errorf("from: %w", err)
	}
	dst, err := resolve(s, to, false)
	if err != nil {
		return Result{}, fmt.Errorf("to: %w", err)
	}
	return answer(s, from, to, src, dst, false), nil
}

// reach gathers the paths between resolved endpoints and sums them up.
// With quick set it stops at the first pair of allocations that has a
// reachable path: enough for a verdict, which is all the matrix needs.
func answer(s *model.Snapshot, from, to string, src, dst endpoint, quick bool) Result {
	r := reachFinder{s: s, warned: map[string]bool{}}
	done := func() bool { return quick && r.anyReachable() }
	for _, d := range dst.allocs {
		if src.pseudo != "" {
			r.fromPseudo(src.pseudo, d, dst)
		}
		for _, a := range src.allocs {
			if done() {
				break
			}
			r.between(a, d, src, dst)
		}
		if done() {
			break
		}
	}
	if src.pseudo == FromExternal {
		r.ingress(dst)
	}
	paths := model.NonNil(r.paths)
	slices.SortStableFunc(paths, func(a, b Path) int {
		return cmp.Compare(verdictRank(a.Verdict), verdictRank(b.Verdict))
	})
	res := Result{From: from, To: to, Verdict: VerdictUnreachable, Paths: paths, Groups: []PathGroup{}, Warnings: model.NonNil(r.warnings)}
	if len(paths) > 0 {
		res.Verdict = paths[0].Verdict
	}
	if !quick {
		res.Groups = GroupPaths(s, paths)
	}
	res.Reason = summarise(res, dst)
	return res
}

// summarise writes the result's reason: the best path's, or why none exists.
func summarise(r Result, dst endpoint) string {
	if len(r.Paths) == 0 {
		if len(dst.allocs) == 0 {
			return fmt.Sprintf("%s has no running allocation, so nothing can reach it", r.To)
		}
		return fmt.Sprintf("no path from %s to %s: it exposes no port and shares no mesh upstream with it", r.From, r.To)
	}
	best := r.Paths[0]
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: %s", r.From, verdictVerb(r.Verdict), r.To, best.Reason)
	switch n, g := len(r.Paths)-1, len(r.Groups); {
	case n == 1:
		b.WriteString(" (1 more path)")
	case n > 1 && g > 1:
		fmt.Fprintf(&b, " (%d more paths, in %d groups)", n, g)
	case n > 1:
		fmt.Fprintf(&b, " (%d more paths like it)", n)
	}
	return b.String()
}

func verdictVerb(v Verdict) string {
	switch v {
	case VerdictReachable:
		return "can reach"
	case VerdictBlocked:
		return "is blocked from"
	case VerdictUnknown:
		return "may or may not reach"
	default:
		return "cannot reach"
	}
}
