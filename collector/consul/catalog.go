package consul

import (
	"context"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/model"
)

// catalog is the source's memory of what it last published about
// Consul's catalog: per node its raw registrations and the model instances
// made from them, plus the latest check statuses. Updates are diffed against
// it so a watcher wake-up emits changes only for the instances that changed.
// It is not safe for concurrent use; Source guards it.
type catalog struct {
	nodes  map[string]*catalogNode
	health checkStates
}

// catalogNode is one Consul node (with Nomad, one Nomad client) as last seen.
type catalogNode struct {
	name, address string
	services      []*consulapi.AgentService
	published     map[string]publishedService // by model ID
	// unread is set while the node's services have not been read since it
	// appeared, or since its read in a full read failed.
	unread bool
	// stop ends the node's own watcher; nil while none runs (Sync, or a
	// node past the watch cap, which the sweep re-reads instead).
	stop context.CancelFunc
}

// publishedService is an instance as handed to the store, with the stamp it
// was made from.
type publishedService struct {
	svc   *model.Service
	stamp serviceStamp
}

// serviceStamp is the cheap fingerprint of an instance: Consul bumps
// ModifyIndex on every change to a registration, and the only other inputs of
// the conversion are the node's address and the checks.
type serviceStamp struct {
	modifyIndex uint64
	nodeAddr    string
	health      string
}

func newCatalog() *catalog {
	return &catalog{nodes: make(map[string]*catalogNode), health: newCheckStates(nil)}
}

// reset replaces everything with a fresh full read and returns every
// instance, for one model.ReplaceServices. Health is unknown if the read
// could not get the checks. A node whose services the read could not get
// keeps the registrations last seen for it (none for a node not seen
// before) and is marked unread until its watcher or the sweep reads it.
func (c *catalog) reset(r *fullRead) []*model.Service {
	old := c.nodes
	c.nodes = make(map[string]*catalogNode, len(r.nodes))
	c.health = newCheckStates(r.checks)
	if _, failed := r.failed[healthKey]; failed {
		c.health = unreadChecks()
	}
	all := []*model.Service{}
	for _, n := range r.nodes {
		node := &catalogNode{name: n.Node, address: n.Address, published: map[string]publishedService{}}
		c.nodes[n.Node] = node
		services := r.services[n.Node]
		if _, failed := r.failed[nodeKey(n.Node)]; failed {
			node.unread = true
			if prev := old[n.Node]; prev != nil {
				services = prev.services
			}
		}
		c.diffNode(node, services, nil)
		for _, p := range node.published {
			all = append(all, p.svc)
		}
	}
	return all
}

// setNodes records the current node list: new nodes are added unread
// (their watchers must start, or the sweep read them). It returns the nodes
// that are gone (their watchers must stop) and the changes for the
// instances of gone nodes and of nodes whose address changed.
func (c *catalog) setNodes(nodes []*consulapi.Node) (gone []*catalogNode, changes []model.Change) {
	seen := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		if n == nil {
			continue
		}
		seen[n.Node] = true
		node, ok := c.nodes[n.Node]
		if !ok {
			c.nodes[n.Node] = &catalogNode{name: n.Node, address: n.Address, published: map[string]publishedService{}, unread: true}
			continue
		}
		if node.address != n.Address {
			node.address = n.Address
			changes = c.diffNode(node, node.services, changes)
		}
	}
	for name, node := range c.nodes {
		if seen[name] {
			continue
		}
		delete(c.nodes, name)
		gone = append(gone, node)
		changes = c.diffNode(node, nil, changes)
	}
	return gone, changes
}

// setNodeServices records a node's registrations and returns the changes.
// A node that is no longer known (its watcher raced with its removal) is
// ignored.
func (c *catalog) setNodeServices(name string, list *consulapi.CatalogNodeServiceList) []model.Change {
	node, ok := c.nodes[name]
	if !ok {
		return nil
	}
	node.unread = false
	var services []*consulapi.AgentService
	if list != nil {
		services = list.Services
		if list.Node != nil && list.Node.Address != "" {
			node.address = list.Node.Address
		}
	}
	return c.diffNode(node, services, nil)
}

// setChecks records new check statuses and returns upserts for the instances
// whose health changed.
func (c *catalog) setChecks(checks consulapi.HealthChecks) []model.Change {
	return c.setHealth(newCheckStates(checks))
}

// setHealth records the check statuses (unreadChecks when they cannot be
// read) and returns upserts for the instances whose health changed.
func (c *catalog) setHealth(h checkStates) []model.Change {
	c.health = h
	var changes []model.Change
	for _, node := range c.nodes {
		changes = c.diffNode(node, node.services, changes)
	}
	return changes
}

// diffNode makes services the node's registrations and appends to changes an
// upsert per new or changed instance and a delete per vanished one.
func (c *catalog) diffNode(node *catalogNode, services []*consulapi.AgentService, changes []model.Change) []model.Change {
	node.services = services
	keep := make(map[string]bool, len(services))
	for _, svc := range services {
		if svc == nil {
			continue
		}
		id := instanceID(node.name, svc.Namespace, svc.ID)
		keep[id] = true
		stamp := serviceStamp{
			modifyIndex: svc.ModifyIndex,
			nodeAddr:    node.address,
			health:      c.health.of(node.name, svc.Namespace, svc.ID),
		}
		if old, ok := node.published[id]; ok && old.stamp == stamp && stamp.modifyIndex != 0 {
			continue
		}
		out := convertService(node.name, node.address, svc)
		out.Health = stamp.health
		node.published[id] = publishedService{svc: out, stamp: stamp}
		changes = append(changes, model.UpsertService{Service: out})
	}
	for id := range node.published {
		if !keep[id] {
			delete(node.published, id)
			changes = append(changes, model.DeleteService{Provider: model.ProviderConsul, ID: id})
		}
	}
	return changes
}
