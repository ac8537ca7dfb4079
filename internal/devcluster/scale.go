package devcluster

import (
	"fmt"

	nomadapi "github.com/hashicorp/nomad/api"
)

// What one allocation of ScaleJob asks for: Nomad's minimums (10 MB of
// memory and of ephemeral disk), so the client's totals, not the machine,
// decide how many fit.
const (
	scaleTaskCPU    = 10 // MHz
	scaleTaskMemory = 10 // MB
	scaleDiskMB     = 10
)

// scaleClientHCL is what Options.ScaleAllocs adds to the Nomad client block:
// cpu, memory and disk totals for twice that many ScaleJob allocations (a
// job update places the new allocations while the old ones are stopping),
// instead of what the machine fingerprints, and the widest dynamic port
// range, ScaleMinPort-65535, instead of Nomad's 20000-32000. The disk total
// is what otherwise caps a dev agent at ~7,000 allocations
// (docs/nomad-behaviour.md, "Limits of a test agent"). The port range
// matters to a mass update on one node: Nomad 1.6 counts a stopping
// allocation's port as used until the client reports it stopped, except in
// the plan that stops it, which may hand the port to its own replacement;
// the node then holds two allocations on one port, and every other
// job's evaluation fails with "network: port collision" until the client
// has stopped the old one (docs/perf.md, "Collector at scale"). The wider
// the range, the rarer a replacement takes its predecessor's port.
// mock_driver allocations use no real memory, CPU, disk or port. The mock
// driver itself is built into the tools' nomad (built without the release
// tag) and enabled by default; it starts no process per task.
func scaleClientHCL(allocs int) string {
	if allocs <= 0 {
		return ""
	}
	n := 2 * allocs
	return fmt.Sprintf(`  cpu_total_compute = %d
  memory_total_mb = %d
  disk_total_mb = %d
  disk_free_mb = %d
  min_dynamic_port = %d
  max_dynamic_port = 65535
`, n*scaleTaskCPU+4000, n*scaleTaskMemory+4096, n*scaleDiskMB+4096, n*scaleDiskMB+4096, ScaleMinPort)
}

// eventBufferHCL is what Options.EventBufferSize adds to the server block.
func eventBufferHCL(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("  event_buffer_size = %d\n", n)
}

// ScaleMinPort is the first dynamic port of a scale cluster (the range ends
// at 65535): one holds about 22,000 ScaleJob allocations, twice that many
// ports.
const ScaleMinPort = 20000

// ScaleJob is a service job of count mock_driver allocations for scale
// tests on a cluster started with Options.ScaleAllocs: host networking, one
// dynamic port and one Nomad-native service (named after the job) per
// allocation, task logs disabled (no logmon process per task), Nomad's
// smallest ephemeral disk, and update max_parallel = 0, so registering a
// changed job updates every allocation at once. meta goes into the job's
// meta; changing it replaces every allocation (a destructive update), while
// changing the service's tags updates them in place.
func ScaleJob(id string, count int, meta map[string]string) *nomadapi.Job {
	ptr := func(v int) *int { return &v }
	yes := true
	job := nomadapi.NewServiceJob(id, id, "global", 50)
	job.Datacenters = []string{"dc1"}
	job.Meta = meta
	job.Update = &nomadapi.UpdateStrategy{MaxParallel: ptr(0)}
	tg := nomadapi.NewTaskGroup("app", count)
	tg.EphemeralDisk = &nomadapi.EphemeralDisk{SizeMB: ptr(scaleDiskMB)}
	tg.Networks = []*nomadapi.NetworkResource{{Mode: "host", DynamicPorts: []nomadapi.Port{{Label: "http"}}}}
	tg.Services = []*nomadapi.Service{{Name: id, PortLabel: "http", Provider: "nomad"}}
	task := nomadapi.NewTask("app", "mock_driver")
	task.Config = map[string]any{"run_for": "240h"}
	task.Resources = &nomadapi.Resources{CPU: ptr(scaleTaskCPU), MemoryMB: ptr(scaleTaskMemory)}
	// Nomad checks the log files' room against the disk even with logs
	// disabled: one file of 1 MB fits in 10 MB.
	task.LogConfig = &nomadapi.LogConfig{Disabled: &yes, MaxFiles: ptr(1), MaxFileSizeMB: ptr(1)}
	tg.Tasks = []*nomadapi.Task{task}
	job.TaskGroups = []*nomadapi.TaskGroup{tg}
	return job
}
