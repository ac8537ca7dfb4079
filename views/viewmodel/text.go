package viewmodel

import (
	"net"
	"strconv"
	"strings"

	"github.com/netviz/netviz/collector/model"
)

// How netviz writes IDs, addresses and network modes, in the JSON bodies and
// on the pages alike.

// ShortID is the first eight characters of a Nomad UUID, as Nomad's CLI
// shows. Anything else (a Consul node name) is kept whole: cut, it would be
// a different, misleading name.
func ShortID(id string) string {
	if len(id) == 36 && strings.Count(id, "-") == 4 {
		return id[:8]
	}
	return id
}

// HostPort joins an address and port the way users type them, with brackets
// for IPv6 and "*" for an unset address.
func HostPort(ip string, port int) string {
	if ip == "" {
		ip = "*"
	}
	return net.JoinHostPort(ip, strconv.Itoa(port))
}

// ModeName names a network mode, calling an unset one "host" as Nomad does.
func ModeName(mode string) string {
	if mode == "" {
		return model.ModeHost
	}
	return mode
}
