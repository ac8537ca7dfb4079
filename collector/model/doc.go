// Package model is netviz's model of how a Nomad cluster is wired on the network:
// nodes, allocations with their network namespaces and ports, tasks and the
// services they refer to, registered services, Connect upstreams, Consul
// intentions, and the edges derived from all of these.
//
// The package does no I/O. Producers (the collector) describe what they saw as
// Change values and hand them to a Store, which applies them incrementally and
// publishes immutable Snapshots, each with a version number. Consumers (the web
// server, the CLI) read snapshots and never see a half-applied change.
package model
