// Package deploytest runs netviz the way deploy/netviz.nomad.hcl does, as a
// Nomad job in the cluster it watches, and reads its pages through the
// address Nomad registered for it. Its tests need root, the tools and the
// integration build tag: go test -tags integration ./internal/deploytest/
package deploytest
