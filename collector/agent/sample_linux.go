package agent

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/ti-mo/conntrack"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// sockets dumps every TCP socket (IPv4 and IPv6) of the network namespace
// at nsPath ("" for the agent's own) through sock_diag. netlink opens its
// socket inside the namespace on a locked OS thread and returns; the dump
// itself then runs from any thread.
func sockets(nsPath string) ([]*netlink.Socket, error) {
	h := &netlink.Handle{}
	if nsPath != "" {
		ns, err := netns.GetFromPath(nsPath)
		if err != nil {
			return nil, fmt.Errorf("open namespace: %w", err)
		}
		defer ns.Close()
		if h, err = netlink.NewHandleAt(ns, unix.NETLINK_INET_DIAG); err != nil {
			return nil, fmt.Errorf("netlink in namespace: %w", err)
		}
	} else {
		var err error
		if h, err = netlink.NewHandle(unix.NETLINK_INET_DIAG); err != nil {
			return nil, fmt.Errorf("netlink: %w", err)
		}
	}
	defer h.Close()
	var out []*netlink.Socket
	for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
		s, err := h.SocketDiagTCP(fam)
		if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
			return out, fmt.Errorf("sock_diag: %w", err)
		}
		out = append(out, s...)
	}
	return out, nil
}

// foldState maps a kernel TCP state onto what the agent reports.
func foldState(s uint8) State {
	switch s {
	case netlink.TCP_LISTEN:
		return StateListen
	case netlink.TCP_SYN_SENT, netlink.TCP_SYN_RECV:
		return StateAttempt
	case netlink.TCP_ESTABLISHED, netlink.TCP_FIN_WAIT1, netlink.TCP_FIN_WAIT2, netlink.TCP_TIME_WAIT,
		netlink.TCP_CLOSE_WAIT, netlink.TCP_LAST_ACK, netlink.TCP_CLOSING:
		return StateConnected
	}
	return StateOther
}

func addrPort(ip net.IP, port uint16) netip.AddrPort {
	a, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(a.Unmap(), port)
}

// toSocket converts a sock_diag entry; ok is false for states not reported.
func toSocket(s *netlink.Socket, alloc, task string) (Socket, bool) {
	st := foldState(s.State)
	if st == StateOther {
		return Socket{}, false
	}
	return Socket{Alloc: alloc, Task: task, State: st,
		Local: addrPort(s.ID.Source, s.ID.SourcePort), Remote: addrPort(s.ID.Destination, s.ID.DestinationPort)}, true
}

// natFlows dumps conntrack (the host namespace's) and keeps TCP entries
// whose destination was rewritten (host ports). owner names the
// allocation whose namespace address a connection was delivered to; ""
// drops the entry (not this node's allocations).
func natFlows(owner func(netip.Addr) string) ([]NAT, error) {
	c, err := conntrack.Dial(nil)
	if err != nil {
		return nil, fmt.Errorf("conntrack: %w", err)
	}
	defer c.Close()
	flows, err := c.Dump(nil)
	if err != nil {
		return nil, fmt.Errorf("conntrack dump: %w", err)
	}
	var out []NAT
	for _, f := range flows {
		if !f.Status.DstNAT() || f.TupleOrig.Proto.Protocol != unix.IPPROTO_TCP {
			continue
		}
		o, r := f.TupleOrig, f.TupleReply
		alloc := owner(r.IP.SourceAddress.Unmap())
		if alloc == "" {
			continue
		}
		out = append(out, NAT{
			Alloc: alloc, Established: f.Status.SeenReply(),
			OrigSrc:  netip.AddrPortFrom(o.IP.SourceAddress.Unmap(), o.Proto.SourcePort),
			OrigDst:  netip.AddrPortFrom(o.IP.DestinationAddress.Unmap(), o.Proto.DestinationPort),
			ReplySrc: netip.AddrPortFrom(r.IP.SourceAddress.Unmap(), r.Proto.SourcePort),
			ReplyDst: netip.AddrPortFrom(r.IP.DestinationAddress.Unmap(), r.Proto.DestinationPort),
		})
	}
	return out, nil
}
