package collector

import "sync"

// Slim mirrors of the Nomad API's JSON: only the fields netviz needs, decoded
// straight from the wire with encoding/json. FACTS.md measured the official
// client's generic event decoding at ~660 µs per allocation event against
// ~136 µs for a typed struct; decoding is the collector's main cost at scale.

// nomadPort is an api.Port (a group network's reserved or dynamic port).
type nomadPort struct {
	Label       string
	Value       int
	To          int
	HostNetwork string
}

// nomadNetwork is an api.NetworkResource.
type nomadNetwork struct {
	Mode          string
	Device        string
	IP            string
	ReservedPorts []nomadPort
	DynamicPorts  []nomadPort
}

// nomadPortMapping is an api.PortMapping from AllocatedResources.Shared.Ports.
type nomadPortMapping struct {
	Label  string
	Value  int
	To     int
	HostIP string
}

// nomadAlloc is an allocation as the list endpoint (resources=true), the
// read endpoint and allocation events give it.
type nomadAlloc struct {
	ID                 string
	Name               string
	Namespace          string
	NodeID             string
	NodeName           string
	JobID              string
	JobType            string
	JobVersion         uint64
	TaskGroup          string
	DesiredStatus      string
	ClientStatus       string
	ModifyIndex        uint64
	AllocatedResources *struct {
		Tasks map[string]struct {
			Networks []nomadNetwork
		}
		Shared struct {
			Networks []nomadNetwork
			Ports    []nomadPortMapping
		}
	}
	NetworkStatus *struct {
		InterfaceName string
		Address       string
	}
}

// nomadUpstream is an api.ConsulUpstream.
type nomadUpstream struct {
	DestinationName      string
	DestinationNamespace string
	LocalBindPort        int
	LocalBindAddress     string
	Datacenter           string
}

// nomadService is an api.Service of a job spec.
type nomadService struct {
	Name      string
	PortLabel string
	Provider  string
	TaskName  string
	Tags      []string
	Checks    []struct{ Name string }
	Connect   *struct {
		Native         bool
		SidecarService *struct {
			Port  string
			Proxy *struct {
				Upstreams []nomadUpstream
			}
		}
		Gateway *struct {
			Ingress     *struct{}
			Terminating *struct{}
			Mesh        *struct{}
		}
	}
}

// nomadTask is an api.Task of a job spec.
type nomadTask struct {
	Name      string
	Driver    string
	Kind      string
	Config    map[string]any
	Env       map[string]string
	Templates []struct {
		EmbeddedTmpl *string
		DestPath     *string
	}
	Services  []nomadService
	Lifecycle *struct {
		Hook    string
		Sidecar bool
	}
}

// nomadGroup is an api.TaskGroup.
type nomadGroup struct {
	Name     string
	Count    int
	Networks []nomadNetwork
	Services []nomadService
	Tasks    []nomadTask
}

// nomadJob is an api.Job, as /v1/job/:id, /v1/job/:id/versions and Job
// events give it.
type nomadJob struct {
	ID         string
	Namespace  string
	Type       string
	Version    uint64
	TaskGroups []nomadGroup

	// groups holds each group converted once (see groupSpecs): every
	// allocation of this version shares the same tasks and services.
	groupsOnce sync.Once
	groups     map[string]*groupSpec
}

// nomadJobStub is an entry of /v1/jobs.
type nomadJobStub struct {
	ID        string
	Namespace string
	Version   uint64
}

// nomadNode is a node as /v1/nodes?resources=true and Node events give it.
type nomadNode struct {
	ID         string
	Name       string
	Datacenter string
	NodePool   string
	Address    string // list stub only
	HTTPAddr   string
	Status     string
	Attributes map[string]string // full node only
	// HostNetworks is on the full node (events).
	HostNetworks map[string]struct {
		Name          string
		CIDR          string
		Interface     string
		ReservedPorts string
	}
	NodeResources *struct {
		MinDynamicPort int
		MaxDynamicPort int
		NodeNetworks   []struct {
			Device    string
			Addresses []struct {
				Alias         string
				Address       string
				ReservedPorts string
			}
		}
	}
	ReservedResources *struct {
		Networks struct {
			ReservedHostPorts string
		}
	}
}

// nomadServiceReg is a Nomad-native service registration (api.ServiceRegistration).
type nomadServiceReg struct {
	ID          string
	ServiceName string
	Namespace   string
	NodeID      string
	JobID       string
	AllocID     string
	Tags        []string
	Address     string
	Port        int
	ModifyIndex uint64
}

// nomadServiceList is an entry of /v1/services.
type nomadServiceList struct {
	Namespace string
	Services  []struct {
		ServiceName string
	}
}

// nomadEventFrame is one newline-delimited frame of /v1/event/stream.
type nomadEventFrame struct {
	Index  uint64
	Events []nomadEvent
}

// nomadEvent is one event; Payload holds the object its Topic names.
type nomadEvent struct {
	Topic     string
	Type      string
	Key       string
	Namespace string
	Index     uint64
	Payload   struct {
		Allocation *nomadAlloc
		Job        *nomadJob
		Node       *nomadNode
		Service    *nomadServiceReg
	}
}
