package reach

import (
	"fmt"
	"net"
	"strconv"

	"github.com/netviz/netviz/collector/model"
)

// ingress adds the paths from outside through an ingress router (see
// ingress.go for how routers and routes are recognised) to the target's services.
func (r *reachFinder) ingress(dst endpoint) {
	names := map[string]bool{}
	for _, d := range dst.allocs {
		for _, spec := range d.Services {
			if dst.service == "" || spec.Name == dst.service {
				names[spec.Name] = true
			}
		}
	}
	for _, e := range r.s.Edges() {
		if e.Kind != model.EdgeIngress {
			continue
		}
		target := e.To[len("service/"):]
		if !names[target] {
			continue
		}
		router := e.From[len("service/"):]
		for _, ra := range allocsDeclaring(r.s, router) {
			if ra.IsIngress() {
				r.ingressPath(ra, router, target, e.Label, dst)
			}
		}
	}
}

func (r *reachFinder) ingressPath(ra *model.Allocation, router, target, rule string, dst endpoint) {
	for _, p := range ra.Ports {
		if !p.Static || p.Value == 0 {
			continue
		}
		addr := net.JoinHostPort(r.hostIP(ra, p), strconv.Itoa(p.Value))
		v, why := r.routeToNode(source{pseudo: FromExternal}, ra, p, r.hostIP(ra, p))
		if v == VerdictReachable && !r.s.HasPassing(target, model.ProviderNomad) && !r.s.HasPassing(target, model.ProviderConsul) {
			v, why = VerdictUnreachable, "the router finds no passing instance of "+target
		}
		hops := []Hop{
			{Kind: HopExternal, Label: "client outside the cluster"},
			{Kind: HopHost, Key: model.NodeKey(ra.NodeID), Label: "node " + model.ShortID(ra.NodeID) + " " + addr + " (static)"},
			{Kind: HopIngress, Key: model.TaskKey(ra.ID, mainTask(ra)), Label: router + " " + mainTask(ra)},
			{Kind: HopIngress, Key: model.ServiceKey(target), Label: "rule " + rule, Blocked: v == VerdictUnreachable},
			{Kind: HopService, Key: model.ServiceKey(target), Label: target},
		}
		to := ""
		if len(dst.allocs) > 0 {
			to = dst.allocs[0].ID
		}
		r.paths = append(r.paths, Path{
			Kind: PathIngress, Verdict: v, ToAlloc: to, Address: addr, Hops: hops,
			Reason: fmt.Sprintf("ingress %s listens on %s on every node and routes %s to %s; %s", router, addr, rule, target, why),
		})
	}
}
