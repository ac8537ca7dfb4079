// Package reachtest checks netviz's reachability analysis and lints against
// a real Nomad+Consul dev cluster (internal/devcluster) running the example
// jobs and the broken ones in examples/broken: TCP probes from the host and
// from inside the allocations' network namespaces, Consul's own intention
// checks, a real Connect mesh with a deny intention, and the CLI. It holds
// tests only.
package reachtest
