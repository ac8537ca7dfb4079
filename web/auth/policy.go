package auth

import (
	"fmt"
	"slices"

	"github.com/hashicorp/hcl"

	"github.com/netviz/netviz/collector/model"
)

// nomadPolicy is the part of a Nomad ACL policy's rules netviz reads: the
// namespace blocks and the node block. Nomad writes rules in HCL (version
// 1, which also reads their JSON form), the syntax this decodes; other
// blocks (agent, operator, quota, host_volume, plugin) grant nothing
// netviz shows and are ignored.
type nomadPolicy struct {
	Namespaces []*namespaceBlock `hcl:"namespace,expand"`
	Node       *policyBlock      `hcl:"node"`
}

// namespaceBlock is `namespace "name-or-glob" { policy = …, capabilities = […] }`.
type namespaceBlock struct {
	Name         string   `hcl:",key"`
	Policy       string   `hcl:"policy"`
	Capabilities []string `hcl:"capabilities"`
}

// policyBlock is a block with only a coarse policy (node).
type policyBlock struct {
	Policy string `hcl:"policy"`
}

// Nomad's coarse policies and the capability netviz needs: reading a job
// (and so its allocations and services) is read-job, which "read" and
// "write" grant; "deny" (policy or capability) takes everything away,
// whatever another policy grants.
const (
	policyDeny  = "deny"
	policyRead  = "read"
	policyWrite = "write"
	capReadJob  = "read-job"
	capDeny     = "deny"
)

// grants is what a set of policies grants, merged as Nomad merges them.
type grants struct {
	read, deny map[string]bool // per namespace pattern
	nodeRead   bool
	nodeDeny   bool
}

func newGrants() *grants { return &grants{read: map[string]bool{}, deny: map[string]bool{}} }

// add merges one policy's rules.
func (g *grants) add(rules string) error {
	var p nomadPolicy
	if err := hcl.Decode(&p, rules); err != nil {
		return fmt.Errorf("parse policy rules: %w", err)
	}
	for _, ns := range p.Namespaces {
		if ns == nil {
			continue
		}
		if ns.Policy == policyDeny || slices.Contains(ns.Capabilities, capDeny) {
			g.deny[ns.Name] = true
		}
		if ns.Policy == policyRead || ns.Policy == policyWrite || slices.Contains(ns.Capabilities, capReadJob) {
			g.read[ns.Name] = true
		} else if !g.read[ns.Name] {
			// A block that grants no read still counts as the closest
			// match for its names (see Scope.ReadsNamespace).
			g.read[ns.Name] = false
		}
	}
	if p.Node != nil {
		switch p.Node.Policy {
		case policyRead, policyWrite:
			g.nodeRead = true
		case policyDeny:
			g.nodeDeny = true
		}
	}
	return nil
}

// scope is the merged grants as a model scope (without Consul's part).
func (g *grants) scope() model.Scope {
	sc := model.Scope{Nodes: g.nodeRead && !g.nodeDeny}
	for p, read := range g.read {
		sc.Namespaces = append(sc.Namespaces, model.NamespaceRule{Pattern: p, Read: read && !g.deny[p]})
	}
	for p := range g.deny {
		if _, ok := g.read[p]; !ok {
			sc.Namespaces = append(sc.Namespaces, model.NamespaceRule{Pattern: p})
		}
	}
	return sc
}
