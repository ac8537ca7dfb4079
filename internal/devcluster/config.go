package devcluster

import (
	"fmt"
	"strconv"
	"strings"
)

// hclString quotes s as an HCL string literal.
func hclString(s string) string { return strconv.Quote(s) }

// consulConfig is a single-server Consul with Connect, its HTTP API on
// loopback and on a unix socket. The socket is how raw_exec sidecar tasks
// (Consul's built-in proxy) reach the agent from inside a bridge namespace,
// where 127.0.0.1 is the namespace's own loopback. With Join set it is a
// client agent instead (an extra node's own Consul, ClientOptions.OwnConsul)
// that joins the server's Serf LAN address.
type consulConfig struct {
	// NodeName defaults to "netviz-dev" (the server's).
	NodeName, Join                       string
	DataDir                              string
	Socket                               string
	HTTP, GRPC, SerfLAN, SerfWAN, Server int
	// ExtraHCL is added at the top level as it is (the acl block).
	ExtraHCL string
}

func (c consulConfig) render() string {
	name, role := c.NodeName, "server = true\nbootstrap_expect = 1"
	if name == "" {
		name = "netviz-dev"
	}
	if c.Join != "" {
		role = "server = false\nretry_join = [" + hclString(c.Join) + "]"
	}
	return fmt.Sprintf(`datacenter = "dc1"
node_name = %s
data_dir = %s
%s
bind_addr = "127.0.0.1"
client_addr = "127.0.0.1"
advertise_addr = "127.0.0.1"
disable_update_check = true
log_level = "INFO"
addresses {
  http = %s
}
ports {
  http = %d
  grpc = %d
  grpc_tls = -1
  dns = -1
  serf_lan = %d
  serf_wan = %d
  server = %d
}
connect {
  enabled = true
}
ui_config {
  enabled = true
}
`, hclString(name), hclString(c.DataDir), role, hclString("127.0.0.1 unix://"+c.Socket), c.HTTP, c.GRPC, c.SerfLAN, c.SerfWAN, c.Server) + c.ExtraHCL
}

// nomadConfig is a Nomad agent: server+client for the first agent of a
// cluster, client-only for extra nodes.
type nomadConfig struct {
	Name          string
	DataDir       string
	Server        bool
	ServerRPCAddr string // for client-only agents
	HTTP, RPC     int
	Serf          int
	Bridge        *Bridge
	ConsulHTTP    int
	ConsulGRPC    int
	CNIConfigDir  string
	// ClientHCL and ServerHCL are added to the client and server blocks
	// as they are (Options.ScaleAllocs, Options.EventBufferSize).
	ClientHCL, ServerHCL string
	// ExtraHCL is added at the top level (the acl block); ConsulToken is
	// the token Nomad uses with Consul (ACL mode).
	ExtraHCL, ConsulToken string
}

func (c nomadConfig) render() string {
	var b strings.Builder
	fmt.Fprintf(&b, `name = %s
region = "global"
datacenter = "dc1"
data_dir = %s
bind_addr = "127.0.0.1"
disable_update_check = true
log_level = "INFO"
ports {
  http = %d
  rpc = %d
  serf = %d
}
advertise {
  http = "127.0.0.1"
  rpc = "127.0.0.1"
  serf = "127.0.0.1"
}
`, hclString(c.Name), hclString(c.DataDir), c.HTTP, c.RPC, c.Serf)
	if c.Server {
		b.WriteString("server {\n  enabled = true\n  bootstrap_expect = 1\n" + c.ServerHCL + "}\n")
	}
	fmt.Fprintf(&b, `client {
  enabled = true
  network_interface = %s
  bridge_network_name = %s
  bridge_network_subnet = %s
  cni_path = "/usr/lib/cni"
  cni_config_dir = %s
`, hclString(c.Bridge.Name), hclString(c.Bridge.Name), hclString(c.Bridge.Subnet), hclString(c.CNIConfigDir))
	b.WriteString(c.ClientHCL)
	if !c.Server {
		fmt.Fprintf(&b, "  servers = [%s]\n", hclString(c.ServerRPCAddr))
	}
	// The cloud fingerprinters probe 169.254.169.254 and outside hosts.
	b.WriteString(`  options {
    "fingerprint.denylist" = "env_aws,env_gce,env_azure,env_digitalocean"
  }
}
plugin "raw_exec" {
  config {
    enabled = true
  }
}
`)
	fmt.Fprintf(&b, `consul {
  address = "127.0.0.1:%d"
  grpc_address = "127.0.0.1:%d"
`, c.ConsulHTTP, c.ConsulGRPC)
	if c.ConsulToken != "" {
		fmt.Fprintf(&b, "  token = %s\n", hclString(c.ConsulToken))
	}
	b.WriteString("}\n")
	b.WriteString(c.ExtraHCL)
	return b.String()
}
