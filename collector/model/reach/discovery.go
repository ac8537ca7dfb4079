package reach

import (
	"fmt"
	"net"
	"strconv"

	"github.com/netviz/netviz/collector/model"
)

// discovery adds the paths where a template of a asks a registry for a
// service of d; the verdict follows the exposure of the address it learns,
// which the direct paths already judged.
func (r *reachFinder) discovery(a, d *model.Allocation, dst endpoint, direct []Path) {
	names := map[string]bool{}
	for _, spec := range d.Services {
		if dst.service == "" || spec.Name == dst.service {
			names[spec.Name] = true
		}
	}
	for _, task := range a.Tasks {
		for _, ref := range task.Refs {
			provider := ref.Kind.Provider()
			if provider == "" || !names[ref.Target] {
				continue
			}
			r.discoveryPaths(a, d, task.Name, ref, provider, direct)
		}
	}
}

func (r *reachFinder) discoveryPaths(a, d *model.Allocation, task string, ref model.Ref, provider string, direct []Path) {
	query := ref.Text
	if query == "" {
		query = ref.Source
	}
	head := []Hop{
		{Kind: HopTask, Key: model.TaskKey(a.ID, task), Label: a.Group() + " " + task},
		{Kind: HopRegistry, Key: model.ServiceKey(ref.Target), Label: provider + " registry: " + query},
	}
	found := false
	for _, svc := range r.s.ServicesNamed(ref.Target) {
		if svc.Provider != provider || svc.AllocID != d.ID {
			continue
		}
		found = true
		addr := net.JoinHostPort(svc.Address, strconv.Itoa(svc.Port))
		p := Path{Kind: PathDiscovery, FromAlloc: a.ID, ToAlloc: d.ID, Address: addr, Hops: head}
		switch {
		case !svc.VisibleFrom(a.Namespace):
			p.Verdict = VerdictUnreachable
			p.Reason = fmt.Sprintf("%s is registered in Nomad namespace %s, which a task in %s cannot query", ref.Target, svc.Namespace, a.Namespace)
		case svc.Health == model.HealthCritical:
			p.Verdict = VerdictUnreachable
			p.Reason = fmt.Sprintf("the instance of %s at %s is failing its checks, so the template leaves it out", ref.Target, addr)
		default:
			p.Verdict, p.Reason = VerdictUnknown, fmt.Sprintf("the registry gives %s, which no known port of %s matches", addr, d.Group())
			for _, dp := range direct {
				if dp.Address == addr && dp.FromAlloc == a.ID && dp.ToAlloc == d.ID {
					p.Verdict = dp.Verdict
					p.Hops = append(append([]Hop{}, head...), dp.Hops[2:]...)
					p.Reason = fmt.Sprintf("%s answers %s; %s", query, addr, dp.Reason)
					break
				}
			}
		}
		if len(p.Hops) == len(head) {
			p.Hops = append(append([]Hop{}, head...), Hop{Kind: HopService, Key: model.ServiceKey(ref.Target), Label: ref.Target + " " + addr, Blocked: p.Verdict == VerdictUnreachable})
		}
		r.paths = append(r.paths, p)
	}
	if !found {
		r.paths = append(r.paths, Path{
			Kind: PathDiscovery, Verdict: VerdictUnreachable, FromAlloc: a.ID, ToAlloc: d.ID,
			Hops:   append(append([]Hop{}, head...), Hop{Kind: HopService, Key: model.ServiceKey(ref.Target), Label: ref.Target + " (no instance)", Blocked: true}),
			Reason: fmt.Sprintf("%s finds no registered instance of %s from this allocation, so the template renders no address", query, ref.Target),
		})
	}
}
