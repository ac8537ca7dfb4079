package consul

import (
	"strings"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/netviz/netviz/collector/model"
)

// Nomad names the Consul services it registers for allocations
// "_nomad-task-<alloc-id>-<task>-<service>-<port-label>", with
// "group-<group>" in place of the task for group-level services, and Consul
// names a sidecar "<parent-id>-sidecar-proxy". That naming is the only link
// from a Consul instance back to its allocation.
const (
	nomadTaskPrefix   = "_nomad-task-"
	nomadGroupPrefix  = "group-"
	sidecarIDSuffix   = "-sidecar-proxy"
	allocIDLen        = 36 // a UUID in its canonical text form
	nomadSidecarLabel = "connect-proxy-"
)

// nomadServiceRef is what a Nomad-made Consul service ID says about its origin.
type nomadServiceRef struct {
	AllocID string
	// Task is the task of a task-level service; empty for group-level ones.
	Task string
	// PortLabel is the allocation port the service advertises, as written.
	PortLabel string
}

// parseNomadServiceID reads the allocation, task and port label out of a
// service ID Nomad registered. name is the service's name (for a sidecar, the
// name of the service it fronts): task names, service names and labels may
// all contain dashes, so the name is what tells them apart. ok is false for
// IDs Nomad did not make for an allocation (Nomad's own agents, services
// registered by hand).
func parseNomadServiceID(id, name string) (ref nomadServiceRef, ok bool) {
	rest, found := strings.CutPrefix(id, nomadTaskPrefix)
	if !found || len(rest) < allocIDLen || !isUUID(rest[:allocIDLen]) {
		return nomadServiceRef{}, false
	}
	ref.AllocID = rest[:allocIDLen]
	rest = strings.TrimPrefix(rest[allocIDLen:], "-")
	rest = strings.TrimSuffix(rest, sidecarIDSuffix)
	// rest is "<task>-<name>-<label>" or "group-<group>-<name>-<label>";
	// the first "-<name>-" after a non-empty task or group splits it.
	group, isGroup := strings.CutPrefix(rest, nomadGroupPrefix)
	if isGroup {
		rest = group
	}
	sep := "-" + name + "-"
	i := strings.Index(rest, sep)
	if name == "" || i <= 0 {
		return ref, true
	}
	if !isGroup {
		ref.Task = rest[:i]
	}
	ref.PortLabel = rest[i+len(sep):]
	return ref, true
}

// isUUID reports whether s is a 36-character UUID in 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != allocIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// instanceID is the model ID of a Consul service instance. Consul only
// keeps service IDs unique per node (a hand-registered "web" on two agents
// has the ID "web" twice), while the model keys services by (provider, ID),
// so the node name qualifies the ID, and the namespace does where there is one.
func instanceID(node, namespace, serviceID string) string {
	if namespace == "" || namespace == "default" {
		return node + "/" + serviceID
	}
	return node + "/" + namespace + "/" + serviceID
}

// convertService turns one catalog registration on a node into a model
// service, with Health left for the caller (checks come from another query).
// NodeID holds the Consul node name: Consul does not know Nomad's node IDs,
// and with Nomad's Consul integration the node name is the Nomad client's
// name, which the views match as well as IDs.
func convertService(nodeName, nodeAddr string, svc *consulapi.AgentService) *model.Service {
	out := &model.Service{
		ID:        instanceID(nodeName, svc.Namespace, svc.ID),
		Name:      svc.Service,
		Provider:  model.ProviderConsul,
		Namespace: svc.Namespace,
		NodeID:    nodeName,
		Address:   svc.Address,
		Port:      svc.Port,
		Tags:      svc.Tags,
		Connect:   convertConnect(svc),
	}
	if out.Address == "" {
		// Consul's rule: a service without its own address uses its node's.
		out.Address = nodeAddr
	}
	parent := svc.Service
	if out.Connect != nil && out.Connect.Kind == model.ConnectSidecar {
		parent = out.Connect.DestinationService
	}
	if ref, ok := parseNomadServiceID(svc.ID, parent); ok {
		out.AllocID, out.Task, out.PortLabel = ref.AllocID, ref.Task, ref.PortLabel
		if out.Connect != nil && out.Connect.Kind == model.ConnectSidecar {
			// The ID carries the parent's label; Nomad names the sidecar's
			// own port after the service it fronts.
			out.PortLabel = nomadSidecarLabel + parent
		}
	}
	return out
}

// convertConnect describes the Connect side of a registration, or nil
// for a plain service.
func convertConnect(svc *consulapi.AgentService) *model.ServiceConnect {
	switch svc.Kind {
	case consulapi.ServiceKindConnectProxy:
		c := &model.ServiceConnect{Kind: model.ConnectSidecar}
		if p := svc.Proxy; p != nil {
			c.DestinationService = p.DestinationServiceName
			c.LocalServicePort = p.LocalServicePort
			c.Upstreams = convertUpstreams(p.Upstreams)
		}
		return c
	case consulapi.ServiceKindIngressGateway:
		return &model.ServiceConnect{Kind: model.ConnectIngress}
	case consulapi.ServiceKindTerminatingGateway:
		return &model.ServiceConnect{Kind: model.ConnectTerminating}
	case consulapi.ServiceKindMeshGateway:
		return &model.ServiceConnect{Kind: model.ConnectMesh}
	case consulapi.ServiceKindTypical:
		if svc.Connect != nil && svc.Connect.Native {
			return &model.ServiceConnect{Kind: model.ConnectNative}
		}
		return nil
	default:
		// Kinds the model has no constant for (api-gateway and whatever
		// comes next) keep Consul's name rather than vanish.
		return &model.ServiceConnect{Kind: string(svc.Kind)}
	}
}

func convertUpstreams(in []consulapi.Upstream) []model.Upstream {
	if len(in) == 0 {
		return nil
	}
	out := make([]model.Upstream, len(in))
	for i, u := range in {
		out[i] = model.Upstream{
			DestinationName:      u.DestinationName,
			DestinationNamespace: u.DestinationNamespace,
			LocalBindAddress:     u.LocalBindAddress,
			LocalBindPort:        u.LocalBindPort,
			Datacenter:           u.Datacenter,
		}
	}
	return out
}
