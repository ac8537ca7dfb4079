package nomad

import "sync"

// Slim mirrors of the Nomad API's JSON: only the fields netviz needs, decoded
// straight from the wire with encoding/json. The official client's generic
// event decoding took ~660 µs per allocation event against ~136 µs for a
// typed struct (docs/nomad-behaviour.md); decoding is the collector's main
// cost at scale.

// apiPort is an api.Port (a group network's reserved or dynamic port).
type apiPort struct {
	Label       string
	Value       int
	To          int
	HostNetwork string
}

// apiNetwork is an api.NetworkResource.
type apiNetwork struct {
	Mode          string
	Device        string
	IP            string
	ReservedPorts []apiPort
	DynamicPorts  []apiPort
}

// apiPortMapping is an api.PortMapping from AllocatedResources.Shared.Ports.
type apiPortMapping struct {
	Label  string
	Value  int
	To     int
	HostIP string
}

// apiAlloc is an allocation as the list endpoint (resources=true), the
// read endpoint and allocation events give it.
type apiAlloc struct {
	ID            string
	Name          string
	Namespace     string
	NodeID        string
	NodeName      string
	JobID         string
	JobType       string
	JobVersion    uint64
	TaskGroup     string
	DesiredStatus string
	ClientStatus  string
	ModifyIndex   uint64
	// CreateIndex is when the allocation was placed: Nomad lists
	// allocations in its order, which lets a catch-up read the newest
	// placements alone (readPlaced).
	CreateIndex uint64
	// AllocModifyIndex is when the servers last changed the allocation
	// (placement, in-place update): with the jobs' JobModifyIndex it tells
	// which job version an allocation event runs, which events do not say
	// (see resolveVersion).
	AllocModifyIndex   uint64
	AllocatedResources *struct {
		Tasks map[string]struct {
			Networks []apiNetwork
		}
		Shared struct {
			Networks []apiNetwork
			Ports    []apiPortMapping
		}
	}
	NetworkStatus *struct {
		InterfaceName string
		Address       string
	}
}

// apiUpstream is an api.ConsulUpstream.
type apiUpstream struct {
	DestinationName      string
	DestinationNamespace string
	LocalBindPort        int
	LocalBindAddress     string
	Datacenter           string
}

// apiService is an api.Service of a job spec.
type apiService struct {
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
				Upstreams []apiUpstream
			}
		}
		Gateway *struct {
			Ingress     *struct{}
			Terminating *struct{}
			Mesh        *struct{}
		}
	}
}

// apiTask is an api.Task of a job spec.
type apiTask struct {
	Name      string
	Driver    string
	Kind      string
	Config    map[string]any
	Env       map[string]string
	Templates []struct {
		EmbeddedTmpl *string
		DestPath     *string
		// left_delimiter and right_delimiter; "" for Go's defaults.
		LeftDelim, RightDelim string
	}
	Services  []apiService
	Lifecycle *struct {
		Hook    string
		Sidecar bool
	}
}

// apiGroup is an api.TaskGroup.
type apiGroup struct {
	Name     string
	Count    int
	Networks []apiNetwork
	Services []apiService
	Tasks    []apiTask
}

// apiJob is an api.Job, as /v1/job/:id, /v1/job/:id/versions and Job
// events give it.
type apiJob struct {
	ID        string
	Namespace string
	Type      string
	Version   uint64
	// JobModifyIndex is when this version was registered.
	JobModifyIndex uint64
	TaskGroups     []apiGroup

	// groups holds each group converted once (see groupSpecs): every
	// allocation of this version shares the same tasks and services.
	groupsOnce sync.Once
	groups     map[string]*groupSpec
}

// apiJobStub is an entry of /v1/jobs. Nomad 1.6.2's job list does not
// say which version is current (its stub has no Version), only when it
// was registered.
type apiJobStub struct {
	ID        string
	Namespace string
	// JobModifyIndex is when the current version was registered.
	JobModifyIndex uint64
}

// apiNode is a node as /v1/nodes?resources=true and Node events give it.
type apiNode struct {
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

// apiServiceReg is a Nomad-native service registration (api.ServiceRegistration).
type apiServiceReg struct {
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

// apiServiceList is an entry of /v1/services.
type apiServiceList struct {
	Namespace string
	Services  []apiServiceStub
}

// apiServiceStub is a service name of /v1/services, with the union of its
// instances' tags.
type apiServiceStub struct {
	ServiceName string
	Tags        []string
}

// eventFrame is one newline-delimited frame of /v1/event/stream.
type eventFrame struct {
	Index  uint64
	Events []event
}

// event is one event; Payload holds the object its Topic names.
type event struct {
	Topic     string
	Type      string
	Key       string
	Namespace string
	Index     uint64
	Payload   struct {
		Allocation *apiAlloc
		Job        *apiJob
		Node       *apiNode
		Service    *apiServiceReg
	}
}
