// Package jobspec reads the parts of a Nomad job spec that name other
// endpoints: Nomad's runtime variables in task env values (NOMAD_ADDR_x,
// NOMAD_UPSTREAM_ADDR_x…) and the registry queries in templates
// (nomadService, service, connect…). It turns them into model.Ref values for
// the Nomad source. Pure functions, no I/O.
package jobspec

import (
	"cmp"
	"regexp"
	"slices"

	"github.com/netviz/netviz/collector/model"
)

// envRefPattern finds Nomad's runtime variables that point at a port or an
// upstream, wherever they sit in a value: "${NOMAD_ADDR_db}",
// "http://${NOMAD_UPSTREAM_ADDR_redis}/", `{{ env "NOMAD_PORT_http" }}`.
// Longer prefixes come first so NOMAD_HOST_PORT_x is not read as NOMAD_PORT.
// The leading boundary keeps MY_NOMAD_ADDR_x out.
var envRefPattern = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(NOMAD_(HOST_PORT|HOST_ADDR|HOST_IP|UPSTREAM_ADDR|UPSTREAM_IP|UPSTREAM_PORT|ALLOC_ADDR|ALLOC_IP|ALLOC_PORT|ADDR|IP|PORT)_([A-Za-z0-9_]+))`)

// envRefKind maps the variable family to the kind of reference.
var envRefKind = map[string]model.RefKind{
	"ADDR": model.RefEnvAddr, "IP": model.RefEnvAddr, "PORT": model.RefEnvAddr,
	"ALLOC_ADDR": model.RefEnvAddr, "ALLOC_IP": model.RefEnvAddr, "ALLOC_PORT": model.RefEnvAddr,
	"HOST_PORT": model.RefEnvHostPort, "HOST_ADDR": model.RefEnvHostPort, "HOST_IP": model.RefEnvHostPort,
	"UPSTREAM_ADDR": model.RefEnvUpstream, "UPSTREAM_IP": model.RefEnvUpstream, "UPSTREAM_PORT": model.RefEnvUpstream,
}

// EnvRefs finds references to ports and upstreams in a task's env values.
// Source is the variable holding the reference, Text the Nomad variable
// referred to (e.g. "NOMAD_UPSTREAM_ADDR_redis_db") and Target the label or
// upstream name as it appears there: Nomad writes '-' as '_' in variable
// names, so "redis-db" appears as "redis_db" (compare with that in mind).
// The result is sorted and deduplicated.
func EnvRefs(env map[string]string) []model.Ref {
	out := []model.Ref{}
	for name, value := range env {
		out = appendEnvRefs(out, name, value)
	}
	return sortRefs(out)
}

// appendEnvRefs adds the references found in text, attributed to source.
func appendEnvRefs(out []model.Ref, source, text string) []model.Ref {
	for _, m := range envRefPattern.FindAllStringSubmatch(text, -1) {
		out = append(out, model.Ref{Kind: envRefKind[m[2]], Target: m[3], Source: source, Text: m[1]})
	}
	return out
}

// sortRefs sorts by Source, Kind, Target, Text and drops duplicates.
func sortRefs(refs []model.Ref) []model.Ref {
	cmpRef := func(a, b model.Ref) int {
		return cmp.Or(
			cmp.Compare(a.Source, b.Source),
			cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Target, b.Target),
			cmp.Compare(a.Text, b.Text),
		)
	}
	slices.SortFunc(refs, cmpRef)
	return slices.CompactFunc(refs, func(a, b model.Ref) bool { return cmpRef(a, b) == 0 })
}
