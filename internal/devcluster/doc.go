// Package devcluster starts a real, throw-away Nomad + Consul cluster on this
// machine for the demo and the integration tests: a Consul server and a Nomad
// server+client bound to 127.0.0.1 on free ports, with bridge networking through
// Debian's CNI plugins on a bridge of the cluster's own, raw_exec enabled and
// Consul Connect on. Close stops everything and removes what it made.
//
// The binaries come from scripts/tools.sh (built from the Go module proxy into
// ~/.cache/netviz/bin). Nothing here contacts outside hosts: both agents run
// with disable_update_check and the cloud fingerprinters denied.
package devcluster
