package agent

import (
	"net/netip"
	"testing"

	"github.com/netviz/netviz/collector/model"
)

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func TestAggregatorCountsConnectionsOnce(t *testing.T) {
	var g Aggregator
	listen := Socket{Alloc: "b", Local: ap("0.0.0.0:8080"), State: StateListen}
	c1 := Socket{Alloc: "a", Local: ap("172.26.64.2:40000"), Remote: ap("172.26.64.3:8080"), State: StateConnected}
	s1 := Socket{Alloc: "b", Local: ap("172.26.64.3:8080"), Remote: ap("172.26.64.2:40000"), State: StateConnected}
	c2 := c1
	c2.Local = ap("172.26.64.2:40001")
	natted := Socket{Alloc: "b", Local: ap("172.26.64.3:8080"), Remote: ap("172.26.64.1:5555"), State: StateConnected}
	nat := NAT{Alloc: "b", Established: true, OrigSrc: ap("127.0.0.1:5555"), OrigDst: ap("127.0.0.1:25000"), ReplySrc: ap("172.26.64.3:8080"), ReplyDst: ap("172.26.64.1:5555")}

	g.Add(Sample{Sockets: []Socket{listen, c1, s1}})
	g.Add(Sample{Sockets: []Socket{listen, c1, s1, c2, natted}, NATs: []NAT{nat}}) // c1 again: not counted twice
	r := g.Report("n1")
	counts := map[string]int{}
	for _, f := range r.Flows {
		counts[f.Side+" "+f.RemoteIP+" "+f.OrigDstIP] += f.Count
	}
	want := map[string]int{
		"client 172.26.64.3 ":          2,
		"server 172.26.64.2 ":          1,
		"server 172.26.64.1 127.0.0.1": 1,
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%q: count %d, want %d (all: %v)", k, counts[k], n, counts)
		}
	}
	if len(r.Listeners) != 1 || r.Listeners[0].Port != 8080 {
		t.Errorf("listeners %+v", r.Listeners)
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	g.Sent()
	g.Add(Sample{Sockets: []Socket{listen, c1}})
	for _, f := range g.Report("n1").Flows {
		if f.Count != 0 || f.Side != model.SideClient {
			t.Errorf("after Sent, a connection still open counts again: %+v", f)
		}
	}
}

func TestAggregatorBounded(t *testing.T) {
	g := Aggregator{MaxFlows: 2}
	var socks []Socket
	for i := range 5 {
		socks = append(socks, Socket{Local: ap("10.0.0.1:40000"), Remote: netip.AddrPortFrom(netip.MustParseAddr("10.0.0.2"), uint16(1000+i)), State: StateConnected})
	}
	g.Add(Sample{Sockets: socks})
	r := g.Report("n1")
	if len(r.Flows) != 2 || r.Dropped != 3 {
		t.Fatalf("%d flows, %d dropped", len(r.Flows), r.Dropped)
	}
}

// TestAggregatorNATWithoutSocket: a connection conntrack still holds after
// both sockets closed (a short request through a host port) is a server
// flow of the allocation it was delivered to, with its original addresses,
// counted once across samples.
func TestAggregatorNATWithoutSocket(t *testing.T) {
	var g Aggregator
	n := NAT{Alloc: "b", Established: true, OrigSrc: ap("172.26.64.2:40000"), OrigDst: ap("172.26.64.1:25000"),
		ReplySrc: ap("172.26.64.3:8080"), ReplyDst: ap("172.26.64.2:40000")}
	g.Add(Sample{NATs: []NAT{n}})
	g.Add(Sample{NATs: []NAT{n}})
	r := g.Report("n1")
	if len(r.Flows) != 1 {
		t.Fatalf("flows %+v", r.Flows)
	}
	f := r.Flows[0]
	if f.Alloc != "b" || f.Side != model.SideServer || f.LocalPort != 8080 || f.OrigDstPort != 25000 ||
		f.OrigSrcIP != "172.26.64.2" || f.Count != 1 || !f.Established {
		t.Errorf("flow %+v", f)
	}
}
