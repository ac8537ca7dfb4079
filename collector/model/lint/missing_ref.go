package lint

import (
	"fmt"

	"github.com/netviz/netviz/collector/model"
)

func missingRefLint(s *model.Snapshot) []model.Warning {
	var out []model.Warning
	for _, a := range s.Allocations() {
		if !a.Live() {
			continue
		}
		upstreams := map[string]bool{}
		for _, spec := range a.MeshSpecs("") {
			for _, u := range spec.Connect.Upstreams {
				upstreams[model.EnvLabel(u.DestinationName)] = true
			}
		}
		for _, t := range a.Tasks {
			for _, ref := range t.Refs {
				if w, ok := missingRef(s, a, t, ref, upstreams); ok {
					out = append(out, w)
				}
			}
		}
	}
	return dedupe(out)
}

// missingRef judges one reference of task t of a.
func missingRef(s *model.Snapshot, a *model.Allocation, t model.Task, ref model.Ref, upstreams map[string]bool) (model.Warning, bool) {
	subjects := []string{model.AllocKey(a.ID), model.TaskKey(a.ID, t.Name)}
	text := ref.Text
	if text == "" {
		text = ref.Source
	}
	if ref.Kind == model.RefEnvUpstream {
		if upstreams[model.EnvLabel(ref.Target)] {
			return model.Warning{}, false
		}
		return model.Warning{
			Code: model.CodeMissingServiceRef, Severity: model.SeverityError, Subjects: subjects,
			Message: fmt.Sprintf("task %s of %s reads %s (in %s), but the group declares no Connect upstream %q: Nomad leaves it empty", t.Name, a.Group(), text, ref.Source, ref.Target),
			Fix:     "declare the upstream in the group's Connect sidecar_service proxy block, or fix the variable name",
		}, true
	}
	provider := ref.Kind.Provider()
	if provider == "" || ref.Target == "" || ref.Target == model.Wildcard {
		return model.Warning{}, false
	}
	count, passing := 0, 0
	for _, svc := range s.ServicesNamed(ref.Target) {
		if svc.Provider != provider || !svc.VisibleFrom(a.Namespace) {
			continue
		}
		count++
		if svc.Health == model.HealthPassing || svc.Health == "" && provider == model.ProviderNomad {
			passing++
		}
	}
	if passing > 0 {
		return model.Warning{}, false
	}
	subjects = append(subjects, model.ServiceKey(ref.Target))
	why := fmt.Sprintf("the %s registry holds no instance of it visible from namespace %s", provider, a.Namespace)
	if count > 0 {
		why = fmt.Sprintf("none of its %d instance(s) passes its checks", count)
	}
	return model.Warning{
		Code: model.CodeMissingServiceRef, Severity: model.SeverityError, Subjects: subjects,
		Message: fmt.Sprintf("task %s of %s asks for %s (%s), but %s: the template renders no address", t.Name, a.Group(), ref.Target, text, why),
		Fix:     fmt.Sprintf("deploy or fix the service %q (name, provider, namespace), or correct the query", ref.Target),
	}, true
}
