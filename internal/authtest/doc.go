// Package authtest holds the integration tests of viewer login
// (--auth=nomad-token) against a real Nomad and Consul with ACLs on: a dev
// cluster of its own (devcluster.Options.ACL), two namespaces with a job
// each, tokens with different rights, and netviz's server reading the
// cluster with a management token while each viewer sees only what their
// token may read. The tests carry the integration build tag.
package authtest
