// Package scale is netviz's scale harness: a real Nomad dev agent holding
// thousands of mock_driver allocations, and netviz's collector following
// it. The harness is a test behind the scale build tag, so neither
// `go test ./...` nor `make test` runs it:
//
//	make scale                                      # 7,000 allocations
//	make scale SCALE_ALLOCS=3000                    # fewer
//	make scale SCALE_FLAGS=-scale.event-buffer=10   # Nomad drops subscribers sooner
//
// which runs
//
//	go test -tags scale -run 'TestScale$' -v -count=1 -timeout 60m ./internal/scale/ -scale.allocs=7000
//
// It needs root and the tools (`make tools`); at 7,000 allocations on two
// cores it takes about half an hour, most of it Nomad's own work. It
// prints the numbers docs/perf.md ("Collector at scale") reports: the cost
// of reading Nomad's lists (the floor) against netviz's sync, with a trace
// of the sync's requests; then, for two updates of every job at once (a
// meta change that replaces every allocation, a service tag that updates
// them in place), how far the model fell behind Nomad, the stream drops and
// each catch-up's cost against a full sync, the status states the model
// went through (never down), the process's CPU and heap, and whether the
// live model ends equal to a fresh sync (it must). The cluster is closed,
// its mounts unmounted and its directory removed at the end.
//
// TestScaleWeb (`make scale-web`) serves netviz over the same kind of
// cluster and prints docs/perf.md's "Pages and pushes at scale": every
// page and its /api/v1 twin (bytes raw and gzip, time of the first and
// second request), then the time from a Nomad change (one job scaled by
// one) until each open overview shows it, with 1 and with 100 clients (up
// to -scale.real-tabs Chromium tabs, the rest websocket clients):
//
//	go test -tags scale -run TestScaleWeb -v -count=1 -timeout 60m ./internal/scale/ -scale.allocs=7000 -scale.tabs=1,100
//
// Like TestScale it reports numbers and asserts none.
package scale
