package agent

import (
	"encoding/json"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkSample1000Sockets is one agent cycle, less the HTTP post, over
// about 1,000 real TCP sockets: 500 loopback connections (both ends) and
// their listener, plus whatever the namespace already holds. One op is a
// sock_diag dump, the aggregation, the report and its JSON. It reports
// sockets per op and the process's resident memory at the end, for
// docs/perf.md (CPU per cycle = ns/op; at a 2 s interval, the share of a
// core is ns/op / 2e9).
func BenchmarkSample1000Sockets(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	accepted := make(chan net.Conn, 500)
	go func() {
		for range 500 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	for range 500 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c, <-accepted)
	}
	var g Aggregator
	n := 0
	b.ResetTimer()
	for b.Loop() {
		socks, err := sockets("")
		if err != nil {
			b.Fatal(err)
		}
		var s Sample
		for _, so := range socks {
			if sock, ok := toSocket(so, "bench", ""); ok {
				s.Sockets = append(s.Sockets, sock)
			}
		}
		n = len(socks)
		g.Add(s)
		if _, err := json.Marshal(g.Report("node")); err != nil {
			b.Fatal(err)
		}
		g.Sent()
	}
	b.ReportMetric(float64(n), "sockets/op")
	b.ReportMetric(rssMB(), "MB-rss")
}

// rssMB is this process's resident set, from /proc/self/status.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}
