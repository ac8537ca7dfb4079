package history

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/netviz/netviz/collector/model"
)

// AllocChange is an allocation before and after a change (nil: absent).
// The Grouper turns them into entries, so that a job's burst becomes one.
type AllocChange struct {
	Time          time.Time
	Before, After *model.Allocation
	Unwatched     bool
}

// Diff describes what changed between two snapshots among the delta's
// changed keys (every key for a full delta), at time t: entries for nodes,
// services, intentions and the sources, and the allocation changes, which
// go through a Grouper.
func Diff(before, after *model.Snapshot, keys []string, full bool, t time.Time) ([]Entry, []AllocChange) {
	keys = Keys(before, after, keys, full)
	var entries []Entry
	var allocs []AllocChange
	for _, k := range keys {
		switch {
		case k == model.KeyIntentions:
			entries = append(entries, intentionEntries(intentionsOf(before), intentionsOf(after))...)
		case k == model.KeyObserved:
			entries = append(entries, observedEntries(before, after)...)
		case k == model.KeyStatus:
			entries = append(entries, sourceEntry("nomad", before.Status().Nomad, after.Status().Nomad)...)
			entries = append(entries, sourceEntry("consul", before.Status().Consul, after.Status().Consul)...)
		case strings.HasPrefix(k, "node/"):
			id := strings.TrimPrefix(k, "node/")
			entries = append(entries, nodeEntry(before.Node(id), after.Node(id))...)
		case strings.HasPrefix(k, "alloc/"):
			id := strings.TrimPrefix(k, "alloc/")
			if b, a := before.Allocation(id), after.Allocation(id); b != a {
				allocs = append(allocs, AllocChange{Time: t, Before: b, After: a})
			}
		case strings.HasPrefix(k, "service/"):
			name := strings.TrimPrefix(k, "service/")
			for _, e := range serviceEntries(instances(before, name), instances(after, name)) {
				entries = append(entries, withJob(e, before, after))
			}
		}
	}
	for i := range entries {
		entries[i].Time = t
	}
	return entries, allocs
}

func nodeEntry(b, a *model.Node) []Entry {
	switch {
	case b == nil && a == nil:
		return nil
	case b == nil:
		return []Entry{{Kind: KindNodeJoined, Node: a.ID, NodeName: a.Name, After: nodeText(a),
			Summary: fmt.Sprintf("node %s joined (%s)", a.Name, nodeText(a))}}
	case a == nil:
		return []Entry{{Kind: KindNodeLeft, Node: b.ID, NodeName: b.Name, Before: nodeText(b),
			Summary: fmt.Sprintf("node %s left", b.Name)}}
	}
	bt, at := nodeText(b), nodeText(a)
	if bt == at {
		return nil
	}
	return []Entry{{Kind: KindNodeChanged, Node: a.ID, NodeName: a.Name, Before: bt, After: at,
		Summary: fmt.Sprintf("node %s changed: %s → %s", a.Name, bt, at)}}
}

// nodeText is what history tells about a node: its address, status and
// host networks.
func nodeText(n *model.Node) string {
	parts := []string{"address " + n.Address, n.Status}
	for _, h := range n.HostNetworks {
		parts = append(parts, "host network "+h.Name+" "+h.CIDR+h.Interface)
	}
	return strings.Join(parts, ", ")
}

func serviceEntries(b, a map[string]*model.Service) []Entry {
	var out []Entry
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			s := b[k]
			out = append(out, serviceSubject(Entry{Kind: KindServiceDown, Before: instanceText(s),
				Summary: fmt.Sprintf("service %s deregistered at %s (%s)", s.Name, addrText(s.Address, s.Port), s.Provider)}, s))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(a)) {
		s, old := a[k], b[k]
		switch {
		case old == nil:
			out = append(out, serviceSubject(Entry{Kind: KindServiceUp, After: instanceText(s),
				Summary: fmt.Sprintf("service %s registered at %s (%s)", s.Name, addrText(s.Address, s.Port), s.Provider)}, s))
		case old.Address != s.Address || old.Port != s.Port:
			out = append(out, serviceSubject(Entry{Kind: KindServiceMoved, Before: instanceText(old), After: instanceText(s),
				Summary: fmt.Sprintf("service %s moved %s → %s", s.Name, addrText(old.Address, old.Port), addrText(s.Address, s.Port))}, s))
		case old.Health != s.Health && old.Health != model.HealthUnknown && s.Health != model.HealthUnknown:
			// Unknown is netviz not knowing yet (a first read before
			// the health poll, a restart), not a state of the service.
			out = append(out, serviceSubject(Entry{Kind: KindHealth, Before: old.Health, After: s.Health,
				Summary: fmt.Sprintf("service %s at %s: %s → %s", s.Name, addrText(s.Address, s.Port), old.Health, s.Health)}, s))
		}
	}
	return out
}

// withJob names the job and group of a service instance's allocation, so
// that the timeline's job filter finds the service's entries too.
func withJob(e Entry, snaps ...*model.Snapshot) Entry {
	if e.Alloc == "" {
		return e
	}
	for _, s := range snaps {
		if a := s.Allocation(e.Alloc); a != nil {
			e.Namespace, e.Job, e.Group, e.NodeName = a.Namespace, a.JobID, a.TaskGroup, a.NodeName
			return e
		}
	}
	return e
}

// serviceSubject names the instance an entry is about. The namespace is
// Nomad's: a Nomad service's own; a Consul service's (whose Namespace is
// Consul's, empty on Consul OSS) is its allocation's, which withJob fills
// where history knows the allocation. A viewer's rights to a Consul
// service's entry hang on that allocation, as Snapshot.Restrict decides.
func serviceSubject(e Entry, s *model.Service) Entry {
	e.Service, e.Alloc, e.Node, e.Provider = s.Name, s.AllocID, s.NodeID, s.Provider
	if s.Provider == model.ProviderNomad {
		e.Namespace = s.Namespace
	}
	return e
}

func instanceText(s *model.Service) string {
	return fmt.Sprintf("%s %s (%s, %s)", s.Name, addrText(s.Address, s.Port), s.Provider, s.Health)
}

func addrText(host string, port int) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s:%d", host, port)
}

func intentionEntries(b, a Intentions) []Entry {
	key := func(i model.Intention) string { return i.Source + " → " + i.Destination }
	bm, am := map[string]model.Intention{}, map[string]model.Intention{}
	for _, i := range b.List {
		bm[key(i)] = i
	}
	for _, i := range a.List {
		am[key(i)] = i
	}
	var out []Entry
	for _, k := range slices.Sorted(maps.Keys(bm)) {
		if _, ok := am[k]; !ok {
			out = append(out, Entry{Kind: KindIntentionDel, Service: bm[k].Destination, Before: bm[k].Action,
				Summary: fmt.Sprintf("intention %s (%s) deleted", k, bm[k].Action)})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(am)) {
		i, old, existed := am[k], bm[k], false
		_, existed = bm[k]
		switch {
		case !existed:
			out = append(out, Entry{Kind: KindIntentionAdd, Service: i.Destination, After: i.Action,
				Summary: fmt.Sprintf("intention %s (%s) added", k, i.Action)})
		case old.Action != i.Action || old.Description != i.Description:
			out = append(out, Entry{Kind: KindIntentionMod, Service: i.Destination, Before: old.Action, After: i.Action,
				Summary: fmt.Sprintf("intention %s changed: %s → %s", k, old.Action, i.Action)})
		}
	}
	if b.DefaultAllow != a.DefaultAllow {
		out = append(out, Entry{Kind: KindIntentionMod, Before: defaultText(b.DefaultAllow), After: defaultText(a.DefaultAllow),
			Summary: fmt.Sprintf("Consul's default intention action: %s → %s", defaultText(b.DefaultAllow), defaultText(a.DefaultAllow))})
	}
	return out
}

func defaultText(allow bool) string {
	if allow {
		return model.ActionAllow
	}
	return model.ActionDeny
}

// sourceEntry records a source's state transition (a catch-up, an outage,
// a recovery), with the source's reason or error.
func sourceEntry(name string, b, a model.SourceStatus) []Entry {
	if b.State == a.State {
		return nil
	}
	why := strings.TrimSpace(strings.Join([]string{a.Reason, a.Error}, " "))
	s := fmt.Sprintf("%s: %s → %s", name, stateOr(b.State), a.State)
	if why != "" {
		s += " (" + why + ")"
	}
	return []Entry{{Kind: KindSource, Service: "", Before: stateOr(b.State), After: a.State, Summary: s}}
}

func stateOr(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
