package model

import "time"

// Node is a Nomad client node: the host box of the diagrams.
type Node struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Datacenter string `json:"datacenter"`
	NodePool   string `json:"node_pool,omitempty"`
	// Address is the node's advertised HTTP address host (what host-mode ports bind).
	Address      string        `json:"address"`
	Status       string        `json:"status"`
	HostNetworks []HostNetwork `json:"host_networks,omitempty"`
	// MinDynamicPort and MaxDynamicPort bound the range Nomad picks dynamic ports from.
	MinDynamicPort int `json:"min_dynamic_port"`
	MaxDynamicPort int `json:"max_dynamic_port"`
	// ReservedPorts are host ports Nomad will not hand out (client reserved.reserved_ports).
	ReservedPorts []int `json:"reserved_ports,omitempty"`
}

// HostNetwork is a named host network of a node (client host_network block).
type HostNetwork struct {
	Name          string `json:"name"`
	CIDR          string `json:"cidr,omitempty"`
	Interface     string `json:"interface,omitempty"`
	ReservedPorts []int  `json:"reserved_ports,omitempty"`
}

// Network modes of an allocation's group network.
const (
	ModeHost   = "host"
	ModeBridge = "bridge"
	ModeNone   = "none"
	// ModeCNIPrefix starts "cni/<name>" modes.
	ModeCNIPrefix = "cni/"
)

// Allocation is one placed instance of a task group, with the network namespace
// its tasks share.
type Allocation struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	Namespace     string  `json:"namespace"`
	JobID         string  `json:"job_id"`
	JobType       string  `json:"job_type,omitempty"`
	JobVersion    uint64  `json:"job_version"`
	TaskGroup     string  `json:"task_group"`
	NodeID        string  `json:"node_id"`
	NodeName      string  `json:"node_name,omitempty"`
	ClientStatus  string  `json:"client_status"`
	DesiredStatus string  `json:"desired_status"`
	Network       Network `json:"network"`
	Ports         []Port  `json:"ports"`
	Tasks         []Task  `json:"tasks"`
	// Services are the services the job spec declares for this group and its
	// tasks (what Nomad will register), as opposed to registered instances.
	Services []ServiceSpec `json:"services,omitempty"`
	// ModifyIndex is Nomad's raft index of the last change to this allocation.
	ModifyIndex uint64 `json:"modify_index"`
}

// Network is an allocation's network namespace.
type Network struct {
	// Mode is host, bridge, none or cni/<name>.
	Mode string `json:"mode"`
	// IP is the namespace's own address (bridge/CNI, from NetworkStatus) or,
	// in host mode, the host address the ports bind.
	IP string `json:"ip,omitempty"`
	// Interface is the namespace's interface name where Nomad reports it.
	Interface string `json:"interface,omitempty"`
}

// Port is a port of an allocation: a host port (Value) on HostIP, optionally
// mapped to To inside the namespace.
type Port struct {
	Label  string `json:"label"`
	HostIP string `json:"host_ip"`
	// Value is the host port; 0 when the port is not mapped to the host.
	Value int `json:"value"`
	// To is the port inside the namespace; 0 means the same as Value.
	To          int    `json:"to,omitempty"`
	Static      bool   `json:"static"`
	HostNetwork string `json:"host_network,omitempty"`
}

// Task lifecycle hooks, as in the job spec.
const (
	LifecyclePrestart  = "prestart"
	LifecyclePoststart = "poststart"
	LifecyclePoststop  = "poststop"
)

// Task is a task of an allocation.
type Task struct {
	Name   string `json:"name"`
	Driver string `json:"driver"`
	// Lifecycle is the hook (prestart, poststart, poststop) or empty for a main task.
	Lifecycle string `json:"lifecycle,omitempty"`
	// Sidecar is the lifecycle's sidecar flag (the task runs alongside main tasks).
	Sidecar bool `json:"sidecar,omitempty"`
	// Kind is Nomad's task kind, e.g. "connect-proxy:redis" for a Connect sidecar.
	Kind string `json:"kind,omitempty"`
	// NetworkMode is the docker-style config.network_mode, when set.
	NetworkMode string `json:"network_mode,omitempty"`
	// ConfigPorts are the port labels listed in config.ports (docker-style drivers).
	ConfigPorts []string `json:"config_ports,omitempty"`
	// Refs are the references to other services or ports found in env and templates.
	Refs []Ref `json:"refs,omitempty"`
}

// RefKind says where a reference to another service or port was found.
type RefKind string

// Kinds of references from a task to a port, an upstream or a service.
const (
	// RefEnvAddr is NOMAD_ADDR_<label>, NOMAD_IP_<label> or NOMAD_PORT_<label>:
	// a port of the task's own allocation.
	RefEnvAddr RefKind = "env-addr"
	// RefEnvHostPort is NOMAD_HOST_PORT_<label> / NOMAD_HOST_ADDR_<label>.
	RefEnvHostPort RefKind = "env-host-port"
	// RefEnvUpstream is NOMAD_UPSTREAM_ADDR_<name> / _PORT_ / _IP_.
	RefEnvUpstream RefKind = "env-upstream"
	// RefNomadService is a template's nomadService "x" or range nomadServices.
	RefNomadService RefKind = "template-nomad-service"
	// RefConsulService is a template's service "x" or range services.
	RefConsulService RefKind = "template-consul-service"
)

// Ref is one reference from a task to something it connects to.
type Ref struct {
	Kind RefKind `json:"kind"`
	// Target is the port label (env-addr, env-host-port), the upstream
	// destination (env-upstream) or the service name (templates).
	Target string `json:"target"`
	// Source is where it was found: the env var name, or "template:<destination>".
	Source string `json:"source"`
	// Text is the expression as written, e.g. `nomadService "redis"`.
	Text string `json:"text,omitempty"`
}

// Service providers.
const (
	ProviderNomad  = "nomad"
	ProviderConsul = "consul"
)

// Health states of a registered service instance.
const (
	HealthPassing  = "passing"
	HealthWarning  = "warning"
	HealthCritical = "critical"
	HealthUnknown  = "unknown"
)

// ServiceSpec is a service as the job spec declares it.
type ServiceSpec struct {
	Name     string `json:"name"`
	Provider string `json:"provider"`
	// Task is set for task-level services; empty for group-level ones.
	Task string `json:"task,omitempty"`
	// PortLabel is the port as written: a label, or a number as text.
	PortLabel string   `json:"port_label,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	// Checks is how many health checks the spec declares.
	Checks int `json:"checks,omitempty"`
	// Connect is set for Connect services (sidecar, native or gateway).
	Connect *ConnectSpec `json:"connect,omitempty"`
}

// Connect kinds.
const (
	ConnectSidecar     = "sidecar"
	ConnectNative      = "native"
	ConnectIngress     = "ingress-gateway"
	ConnectTerminating = "terminating-gateway"
	ConnectMesh        = "mesh-gateway"
)

// ConnectSpec is a service's Connect block.
type ConnectSpec struct {
	// Kind is sidecar, native, or one of the gateway kinds.
	Kind string `json:"kind"`
	// SidecarPortLabel is the port label of the sidecar's public listener
	// (Nomad names it connect-proxy-<service>).
	SidecarPortLabel string     `json:"sidecar_port_label,omitempty"`
	Upstreams        []Upstream `json:"upstreams,omitempty"`
}

// Upstream is a Connect upstream: a local listener that leads to a destination service.
type Upstream struct {
	DestinationName      string `json:"destination_name"`
	DestinationNamespace string `json:"destination_namespace,omitempty"`
	LocalBindAddress     string `json:"local_bind_address,omitempty"`
	LocalBindPort        int    `json:"local_bind_port"`
	Datacenter           string `json:"datacenter,omitempty"`
}

// Service is a registered instance of a service, from Nomad's service registry
// or Consul's catalog.
type Service struct {
	// ID is the registry's own ID for the instance.
	ID        string `json:"id"`
	Name      string `json:"name"`
	Provider  string `json:"provider"`
	Namespace string `json:"namespace,omitempty"`
	NodeID    string `json:"node_id,omitempty"`
	AllocID   string `json:"alloc_id,omitempty"`
	Task      string `json:"task,omitempty"`
	// PortLabel is the allocation port the instance advertises, where known.
	PortLabel string   `json:"port_label,omitempty"`
	Address   string   `json:"address"`
	Port      int      `json:"port"`
	Tags      []string `json:"tags,omitempty"`
	Health    string   `json:"health"`
	// Connect describes a sidecar proxy, native or gateway registration.
	Connect *ServiceConnect `json:"connect,omitempty"`
}

// ServiceConnect is the Connect side of a registered Consul service.
type ServiceConnect struct {
	// Kind is sidecar (this instance is a sidecar proxy), native, or a gateway kind.
	Kind string `json:"kind"`
	// DestinationService is, for a sidecar proxy, the service it fronts.
	DestinationService string `json:"destination_service,omitempty"`
	// LocalServicePort is, for a sidecar proxy, the port of the app it forwards to.
	LocalServicePort int        `json:"local_service_port,omitempty"`
	Upstreams        []Upstream `json:"upstreams,omitempty"`
}

// Intention actions.
const (
	ActionAllow = "allow"
	ActionDeny  = "deny"
)

// Intention is a Consul service intention source → destination.
type Intention struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
	// Action is allow or deny; L7 permissions count as allow here.
	Action string `json:"action"`
	// Precedence is Consul's precedence: exact names beat wildcards.
	Precedence  int    `json:"precedence"`
	Description string `json:"description,omitempty"`
}

// EdgeKind names what an edge means.
type EdgeKind string

// Kinds of derived edges.
const (
	// EdgeSameNamespace joins two tasks of one allocation (shared namespace).
	EdgeSameNamespace EdgeKind = "same-namespace"
	// EdgeUpstream is a Connect upstream from a source allocation to a service.
	EdgeUpstream EdgeKind = "upstream"
	// EdgeDiscovery is an env or template reference resolved to a service's instances.
	EdgeDiscovery EdgeKind = "discovery"
	// EdgeIngress is an ingress routing rule (e.g. a Host() tag) to a service.
	EdgeIngress EdgeKind = "ingress"
)

// Edge is a derived connection between model objects. From and To are IDs as
// returned by the ID helpers (TaskID, AllocID, ServiceName).
type Edge struct {
	Kind  EdgeKind `json:"kind"`
	From  string   `json:"from"`
	To    string   `json:"to"`
	Label string   `json:"label"`
	// Intention is, for upstream edges, the effective intention action
	// (allow/deny) or empty when Consul is unknown.
	Intention string `json:"intention,omitempty"`
	// Broken is true when the edge's target has no healthy instance.
	Broken bool `json:"broken,omitempty"`
}

// Severity of a warning.
type Severity string

// Severities, from least to most serious.
const (
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
	SeverityError   Severity = "error"
)

// Warning is a finding about the cluster (a lint), with the subject it concerns.
type Warning struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// Subjects are the IDs of the objects concerned (alloc/…, service/…, node/…).
	Subjects []string `json:"subjects"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix,omitempty"`
}

// Source states. Only down and forbidden are failures; catching up and
// stale say the data may be behind, and since when.
const (
	// StateSyncing: the first read has not finished.
	StateSyncing = "syncing"
	// StateConnected: following live.
	StateConnected = "connected"
	// StateCatchingUp: re-reading what changed after the source dropped
	// events (Nomad ends slow event subscribers during bursts); Reason
	// gives the source's own words. The data shown is as of AsOf.
	StateCatchingUp = "catching-up"
	// StateStale: no frame or heartbeat for too long; the connection may be
	// half-open. The data shown is as of AsOf.
	StateStale = "stale"
	// StateDown: the source cannot be reached; Error says why.
	StateDown = "down"
	// StateAbsent: not configured (netviz runs without Consul).
	StateAbsent = "absent"
	// StateForbidden: the ACL token may not read it.
	StateForbidden = "forbidden"
)

// SourceStatus is the state of one data source (Nomad or Consul).
type SourceStatus struct {
	State string `json:"state"`
	// Address is the API address in use (never a token).
	Address   string    `json:"address,omitempty"`
	Error     string    `json:"error,omitempty"`
	LastEvent time.Time `json:"last_event,omitzero"`
	// Index is the last raft index seen.
	Index uint64 `json:"index,omitempty"`
	// Topics holds per-topic problems, e.g. "Job": "403 Permission denied".
	Topics map[string]string `json:"topics,omitempty"`
	// Reason says why the source is catching up or stale.
	Reason string `json:"reason,omitempty"`
	// Since is when the source entered its current state.
	Since time.Time `json:"since,omitzero"`
	// AsOf is when the source last confirmed the data current (a frame, a
	// heartbeat, a finished read): what "stale" data is as of.
	AsOf time.Time `json:"as_of,omitzero"`
	// CatchUps counts catch-ups after dropped events since netviz started.
	CatchUps int `json:"catch_ups,omitempty"`
	// DropBurst is the number of events that arrived in the minute before
	// the source last dropped the stream: the burst the buffer could not hold.
	DropBurst int `json:"drop_burst,omitempty"`
	// Divergences counts differences between the model and a fresh read
	// found (and repaired) by anti-entropy; 0 in a correct collector.
	Divergences int `json:"divergences,omitempty"`
}

// Behind reports whether the data shown may lag the source: catching up or stale.
func (s SourceStatus) Behind() bool { return s.State == StateCatchingUp || s.State == StateStale }

// Status is the state of the model's sources.
type Status struct {
	Nomad  SourceStatus `json:"nomad"`
	Consul SourceStatus `json:"consul"`
	// History is the state of the networking history netviz records (empty
	// when it is off): connected while it records, down with the reason
	// when its store is unavailable. It never makes netviz unready.
	History SourceStatus `json:"history,omitzero"`
}
