package reach

import (
	"fmt"
	"net"
	"strconv"

	"github.com/netviz/netviz/collector/model"
)

// mesh adds the Connect paths from a's mesh services to d's.
func (r *reachFinder) mesh(a, d *model.Allocation, src, dst endpoint) {
	dsts := d.MeshSpecs(dst.service)
	if len(dsts) == 0 {
		r.upstreamsWithoutSidecar(a, d, src, dst)
		return
	}
	srcs := a.MeshSpecs(src.service)
	for _, ds := range dsts {
		for _, ss := range srcs {
			r.meshPath(a, d, ss, ds)
		}
	}
}

// upstreamsWithoutSidecar reports upstreams of a to a service of d that is
// not in the mesh: the source's proxy has nowhere to send them.
func (r *reachFinder) upstreamsWithoutSidecar(a, d *model.Allocation, src, dst endpoint) {
	for _, ss := range a.MeshSpecs(src.service) {
		for _, u := range ss.Connect.Upstreams {
			for _, spec := range d.Services {
				if spec.Name != u.DestinationName || (dst.service != "" && spec.Name != dst.service) {
					continue
				}
				hops := []Hop{
					{Kind: HopTask, Key: model.TaskKey(a.ID, mainTask(a)), Label: a.Group() + " " + mainTask(a)},
					{Kind: HopListener, Key: model.AllocKey(a.ID), Label: u.Label()},
					{Kind: HopService, Key: model.ServiceKey(spec.Name), Label: spec.Name + " (no sidecar)", Blocked: true},
				}
				r.paths = append(r.paths, Path{
					Kind: PathMesh, Verdict: VerdictUnreachable, FromAlloc: a.ID, ToAlloc: d.ID, Address: upstreamAddr(u), Hops: hops,
					Reason: fmt.Sprintf("%s's upstream to %s leads nowhere: %s has no Connect sidecar and is not Connect-native", ss.Name, spec.Name, spec.Name),
				})
			}
		}
	}
}

// upstreamAddr is the local listener of an upstream.
func upstreamAddr(u model.Upstream) string {
	host := u.LocalBindAddress
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(u.LocalBindPort))
}

// meshPath is source service ss of a reaching destination service ds of d
// through the mesh: an upstream, both sidecars, and the intention between them.
func (r *reachFinder) meshPath(a, d *model.Allocation, ss, ds model.ServiceSpec) {
	var up *model.Upstream
	for i, u := range ss.Connect.Upstreams {
		if u.DestinationName == ds.Name {
			up = &ss.Connect.Upstreams[i]
			break
		}
	}
	action, matched := r.s.IntentionFor(ss.Name, ds.Name)
	rule := "no intention matches; the default is " + action
	if matched != nil {
		rule = fmt.Sprintf("intention %s → %s: %s", matched.Source, matched.Destination, matched.Action)
	}
	known := r.s.IntentionsKnown()
	if !known {
		rule = "intentions not known (Consul not read)"
	}
	intention := Hop{Kind: HopIntention, Label: rule, Blocked: known && action == model.ActionDeny}
	p := Path{Kind: PathMesh, FromAlloc: a.ID, ToAlloc: d.ID}
	srcTask := ss.Task
	if srcTask == "" {
		srcTask = mainTask(a)
	}
	p.Hops = []Hop{{Kind: HopTask, Key: model.TaskKey(a.ID, srcTask), Label: a.Group() + " " + srcTask}}
	if up == nil {
		p.Verdict = VerdictUnreachable
		p.Hops = append(p.Hops, Hop{Kind: HopListener, Key: model.AllocKey(a.ID), Label: "no upstream to " + ds.Name, Blocked: true}, intention)
		p.Reason = fmt.Sprintf("%s declares no upstream to %s, so it has no mesh path to it (the intentions would %s it)", ss.Name, ds.Name, action)
		r.paths = append(r.paths, p)
		return
	}
	p.Address = upstreamAddr(*up)
	p.Hops = append(p.Hops, Hop{Kind: HopListener, Key: model.AllocKey(a.ID), Label: up.Label()})
	if ss.Connect.Kind == model.ConnectSidecar {
		p.Hops = append(p.Hops, Hop{Kind: HopSidecar, Key: model.AllocKey(a.ID), Label: ss.Name + " sidecar proxy"})
	}
	p.Hops = append(p.Hops, intention)
	if ds.Connect.Kind == model.ConnectSidecar {
		label := ds.Name + " sidecar proxy"
		if pp, ok := d.PortByLabel(ds.Connect.SidecarPortLabel); ok && pp.Value > 0 {
			label += " " + net.JoinHostPort(r.hostIP(d, pp), strconv.Itoa(pp.Value))
		}
		p.Hops = append(p.Hops, Hop{Kind: HopSidecar, Key: model.AllocKey(d.ID), Label: label})
	}
	dstTask := ds.Task
	if dstTask == "" {
		dstTask = mainTask(d)
	}
	p.Hops = append(p.Hops,
		Hop{Kind: HopTask, Key: model.TaskKey(d.ID, dstTask), Label: d.Group() + " " + dstTask + " :" + strconv.Itoa(d.SpecPort(ds))},
		Hop{Kind: HopService, Key: model.ServiceKey(ds.Name), Label: ds.Name})
	switch {
	case !known:
		p.Verdict = VerdictUnknown
		p.Reason = fmt.Sprintf("%s's upstream %s leads to %s through the mesh, but Consul's intentions are not known", ss.Name, up.Label(), ds.Name)
	case action == model.ActionDeny:
		p.Verdict = VerdictBlocked
		p.Reason = fmt.Sprintf("%s's upstream %s leads to %s through the mesh, but %s", ss.Name, up.Label(), ds.Name, rule)
		r.warn(IntentionDenyWarning(a, ss.Name, ds.Name, matched))
	case r.s.Status().Consul.State == model.StateConnected && !r.s.HasPassing(ds.Name, model.ProviderConsul):
		p.Verdict = VerdictUnreachable
		p.Reason = fmt.Sprintf("%s has no passing instance in Consul's catalog for the upstream %s to reach", ds.Name, up.Label())
	default:
		p.Verdict = VerdictReachable
		p.Reason = fmt.Sprintf("through the mesh: %s, then mTLS between the sidecars; %s", up.Label(), rule)
	}
	r.paths = append(r.paths, p)
}
