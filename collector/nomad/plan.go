package nomad

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/netviz/netviz/collector/model"
	"github.com/netviz/netviz/collector/model/check"
)

// What `netviz check` asks Nomad: its own parser (so every HCL2 feature,
// variable and function behaves as in `nomad job run`) and its scheduler's
// dry run. Neither registers anything.

// ErrForbidden marks a call the token may not make (HTTP 403).
var ErrForbidden = errors.New("forbidden")

// ParseError is Nomad's own complaint about a job file, with its position
// ("app.nomad.hcl:3,3-8: Unsupported argument; ...").
type ParseError struct{ Message string }

func (e *ParseError) Error() string { return e.Message }

// ParseJob parses HCL2 job text with Nomad's /v1/jobs/parse. variables is
// the content of a variables file (what --var and --var-file give). file
// names the job file in Nomad's messages. namespace is the client's
// (NOMAD_NAMESPACE), used when the file names none, as the nomad CLI does.
// The job comes back canonicalised (Nomad's defaults filled in).
func ParseJob(ctx context.Context, c *nomadapi.Client, file, hcl, variables, namespace string) (*nomadapi.Job, error) {
	req := &nomadapi.JobsParseRequest{JobHCL: hcl, Variables: variables}
	var job nomadapi.Job
	if _, err := c.Raw().Write("/v1/jobs/parse", req, &job, (&nomadapi.WriteOptions{}).WithContext(ctx)); err != nil {
		var ure nomadapi.UnexpectedResponseError
		switch {
		case statusCode(err) == http.StatusForbidden:
			return nil, fmt.Errorf("parse: %w: %v", ErrForbidden, err)
		case errors.As(err, &ure) && ure.StatusCode() == http.StatusBadRequest:
			msg := strings.TrimSpace(ure.Body())
			return nil, &ParseError{Message: strings.ReplaceAll(msg, "input.hcl", file)}
		}
		return nil, fmt.Errorf("parse: %w", err)
	}
	// "*" (every namespace, netviz's default read) names no namespace to
	// run in: Nomad's default applies, as in the nomad CLI.
	if job.Namespace == nil && namespace != "" && namespace != "*" {
		job.Namespace = &namespace
	}
	job.Canonicalize()
	return &job, nil
}

// PlanJob asks Nomad's scheduler what it would do with the job (with the
// diff), without registering it. A token that may not plan gives a Plan
// with Forbidden set; any other failure a Plan with Error set. Neither is
// an error: the check goes on with netviz's own estimate.
func PlanJob(ctx context.Context, c *nomadapi.Client, job *nomadapi.Job) check.Plan {
	wo := (&nomadapi.WriteOptions{Namespace: deref(job.Namespace)}).WithContext(ctx)
	resp, _, err := c.Jobs().PlanOpts(job, &nomadapi.PlanOptions{Diff: true}, wo)
	if err != nil {
		if isForbidden(err) {
			return check.Plan{Forbidden: true, Error: describe(err)}
		}
		return check.Plan{Error: describe(err)}
	}
	p := check.Plan{Ran: true, Failed: []check.FailedGroup{}, Updates: []check.GroupUpdate{}, Warnings: resp.Warnings}
	if resp.Diff != nil {
		p.DiffType = resp.Diff.Type
	}
	for name, m := range resp.FailedTGAllocs {
		if m == nil {
			continue
		}
		p.Failed = append(p.Failed, check.FailedGroup{
			Group: name, Unplaced: m.CoalescedFailures + 1,
			NodesEvaluated: m.NodesEvaluated, NodesFiltered: m.NodesFiltered, NodesExhausted: m.NodesExhausted,
			ConstraintFiltered: m.ConstraintFiltered, ClassExhausted: m.ClassExhausted, DimensionExhausted: m.DimensionExhausted,
		})
	}
	slices.SortFunc(p.Failed, func(a, b check.FailedGroup) int { return cmp.Compare(a.Group, b.Group) })
	if resp.Annotations != nil {
		for name, u := range resp.Annotations.DesiredTGUpdates {
			if u == nil {
				continue
			}
			p.Updates = append(p.Updates, check.GroupUpdate{
				Group: name, Place: u.Place, InPlaceUpdate: u.InPlaceUpdate, DestructiveUpdate: u.DestructiveUpdate,
				Stop: u.Stop, Ignore: u.Ignore, Canary: u.Canary,
			})
		}
		slices.SortFunc(p.Updates, func(a, b check.GroupUpdate) int { return cmp.Compare(a.Group, b.Group) })
	}
	return p
}

// CheckJob converts a parsed job into what the check places: one
// allocation per group, made by the same conversion as a running
// allocation (convertAlloc over the job's groups), from the ports the group
// network asks for. Static ports carry their value, dynamic ones none, and
// no port has a host IP yet. Like Nomad at registration, it adds the
// Connect sidecar's port and task for each sidecar service.
func CheckJob(job *nomadapi.Job) (check.Job, error) {
	raw, err := json.Marshal(job)
	if err != nil {
		return check.Job{}, fmt.Errorf("job: %w", err)
	}
	var aj apiJob
	if err := json.Unmarshal(raw, &aj); err != nil {
		return check.Job{}, fmt.Errorf("job: %w", err)
	}
	out := check.Job{Namespace: cmp.Or(aj.Namespace, "default"), ID: aj.ID, Type: cmp.Or(aj.Type, "service"),
		Datacenters: job.Datacenters, NodePool: deref(job.NodePool), Groups: []check.Group{}}
	drivers := sidecarDrivers(job)
	for i := range aj.TaskGroups {
		addSidecars(&aj.TaskGroups[i], drivers)
	}
	for i, g := range aj.TaskGroups {
		count := 1
		if i < len(job.TaskGroups) && job.TaskGroups[i].Count != nil {
			count = *job.TaskGroups[i].Count
		}
		a := &apiAlloc{Namespace: out.Namespace, JobID: out.ID, JobType: out.Type, TaskGroup: g.Name,
			ClientStatus: "pending", DesiredStatus: "run"}
		a.AllocatedResources = &struct {
			Tasks  map[string]struct{ Networks []apiNetwork }
			Shared struct {
				Networks []apiNetwork
				Ports    []apiPortMapping
			}
		}{}
		a.AllocatedResources.Shared.Networks = g.Networks
		for _, nw := range g.Networks {
			for _, p := range nw.ReservedPorts {
				a.AllocatedResources.Shared.Ports = append(a.AllocatedResources.Shared.Ports, apiPortMapping{Label: p.Label, Value: p.Value, To: p.To})
			}
			for _, p := range nw.DynamicPorts {
				a.AllocatedResources.Shared.Ports = append(a.AllocatedResources.Shared.Ports, apiPortMapping{Label: p.Label, To: max(p.To, 0)})
			}
		}
		out.Groups = append(out.Groups, check.Group{Name: g.Name, Count: count, Alloc: convertAlloc(a, &aj, "")})
	}
	return out, nil
}

// addSidecars does what Nomad's Connect admission does to a group at
// registration, as far as the network sees it: a dynamic port
// "connect-proxy-<service>" and a sidecar task of kind
// "connect-proxy:<service>" per sidecar service (unless the job names its
// own sidecar port).
func addSidecars(g *apiGroup, drivers map[string]string) {
	services := slices.Clone(g.Services)
	for _, t := range g.Tasks {
		services = append(services, t.Services...)
	}
	for _, s := range services {
		c := s.Connect
		if c == nil || c.Native || c.Gateway != nil || c.SidecarService == nil {
			continue
		}
		label := "connect-proxy-" + s.Name
		if c.SidecarService.Port == "" && len(g.Networks) > 0 && !hasPort(g.Networks, label) {
			g.Networks[0].DynamicPorts = append(g.Networks[0].DynamicPorts, apiPort{Label: label})
		}
		// Nomad's default sidecar is Envoy in Docker.
		task := apiTask{Name: label, Driver: cmp.Or(drivers[s.Name], "docker"), Kind: "connect-proxy:" + s.Name}
		task.Lifecycle = &struct {
			Hook    string
			Sidecar bool
		}{Hook: model.LifecyclePrestart, Sidecar: true}
		g.Tasks = append(g.Tasks, task)
	}
}

// sidecarDrivers maps each service with its own sidecar_task to that
// task's driver (the slim types leave sidecar tasks out).
func sidecarDrivers(job *nomadapi.Job) map[string]string {
	out := map[string]string{}
	for _, g := range job.TaskGroups {
		services := slices.Clone(g.Services)
		for _, t := range g.Tasks {
			services = append(services, t.Services...)
		}
		for _, s := range services {
			if s != nil && s.Connect != nil && s.Connect.SidecarTask != nil {
				out[s.Name] = s.Connect.SidecarTask.Driver
			}
		}
	}
	return out
}

func hasPort(nets []apiNetwork, label string) bool {
	for _, n := range nets {
		for _, p := range append(slices.Clone(n.ReservedPorts), n.DynamicPorts...) {
			if p.Label == label {
				return true
			}
		}
	}
	return false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
