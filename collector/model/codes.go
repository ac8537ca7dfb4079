package model

// Codes of the warnings that lints and reach paths report. Each names one
// kind of finding; docs/reach.md describes them.

// CodeConnectPortLabel marks a Connect service whose port is a label that
// does not tell the sidecar where the app listens inside the namespace.
const CodeConnectPortLabel = "connect-port-label"

// CodeDockerPortUnpublished marks a group port that no docker task lists in
// config.ports while the group uses host networking: Docker then never
// publishes it, and the port Nomad reserved leads nowhere.
const CodeDockerPortUnpublished = "docker-port-unpublished"

// CodeHostNetworkOpen marks a host-networking port: it binds the node's
// address, so anything that routes to the node reaches it.
const CodeHostNetworkOpen = "host-network-open"

// Codes of the lints about traffic that goes around Connect.
const (
	// CodeMeshBypass marks a mesh service whose app port is also mapped to
	// the host: clients reach the app directly, skipping intentions.
	CodeMeshBypass = "mesh-bypass"
	// CodeBridgePeerBypass marks a same-node bridge peer that intentions
	// keep out of a mesh service but that reaches its namespace address.
	CodeBridgePeerBypass = "bridge-peer-bypass"
)

// CodeMissingServiceRef marks a template or env reference to a service (or
// upstream) that does not exist or has no healthy instance.
const CodeMissingServiceRef = "missing-service-ref"

// CodePortConflict marks two allocations holding the same host IP and port on
// one node: only one of them can bind it.
const CodePortConflict = "port-conflict"

// CodeStaticPort marks a static host port on a service that clients could
// find through service discovery instead.
const CodeStaticPort = "static-port"

// Codes of the lints about Connect upstreams.
const (
	// CodeUpstreamDangling marks an upstream to a service that does not
	// exist, or that is not in the mesh (no sidecar, not native).
	CodeUpstreamDangling = "upstream-dangling"
	// CodeIntentionDeniesUpstream marks an upstream that an intention denies.
	CodeIntentionDeniesUpstream = "intention-denies-upstream"
)

// Codes of the lints about observed traffic (what netviz agents saw).
const (
	// CodeUpstreamUnused marks a declared upstream its allocation never used
	// during a whole observed window.
	CodeUpstreamUnused = "upstream-unused"
	// CodeMeshBypassObserved marks real traffic to a guarded mesh service's
	// app port that did not come through its sidecar, naming the client.
	CodeMeshBypassObserved = "mesh-bypass-observed"
	// CodeUndeclaredDependency marks observed traffic between allocations
	// that no upstream, template or env reference explains.
	CodeUndeclaredDependency = "undeclared-dependency"
	// CodeListeningUnexpected marks a task listening on its namespace
	// address (or every address) on a port the network block does not map.
	CodeListeningUnexpected = "listening-unexpected"
)
