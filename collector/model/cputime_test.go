package model_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) this process has used. Benchmarks
// report throughput per CPU second next to wall-clock throughput because the
// machine is shared: wall time there measures the neighbours as much as us.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
