# netviz agent: one per Nomad client (a system job), reporting the TCP
# connections of that node's allocations to the netviz server
# (deploy/netviz.nomad.hcl), which draws them beside the declared paths.
#
#   nomad var put nomad/jobs/netviz-agent secret="$(openssl rand -hex 32)"
#   (and start the server with the same secret: --agent-secret-file, or
#    NETVIZ_AGENT_SECRET from nomad/jobs/netviz in its own template)
#   nomad job run -var netviz_bin=/opt/netviz/netviz deploy/netviz-agent.nomad.hcl
#
# Privileges (see docs/observed.md): raw_exec runs the agent as the Nomad
# client's user, root, in the host's namespaces, which it needs to
#   - enter each allocation's network namespace (/var/run/netns/<alloc ID>,
#     setns: CAP_SYS_ADMIN) and dump its sockets with sock_diag;
#   - dump the host's conntrack table over netlink (CAP_NET_ADMIN);
#   - read other processes' environment and fds in /proc to tell host-mode
#     tasks' sockets apart (CAP_SYS_PTRACE, or root).
# It never writes to the kernel: it only reads sockets and conntrack.
# Nomad is read through the task API socket with the workload identity:
# on a cluster with ACLs attach deploy/netviz-policy.hcl to this job too
# (it needs node and allocation reads only).
variable "netviz_bin" {
  type        = string
  description = "absolute path of the netviz binary on the nodes"
}

variable "interval" {
  type    = string
  default = "2s"
}

variable "nomad_addr" {
  type        = string
  default     = "unix://$${NOMAD_SECRETS_DIR}/api.sock"
  description = "Nomad's API as the agent reaches it; default the task API socket"
}

variable "server" {
  type        = string
  default     = ""
  description = "the netviz server's URL; default: the nomad service \"netviz\""
}

job "netviz-agent" {
  type     = "system"
  priority = 40

  group "agent" {
    network {
      mode = "host"
    }

    task "agent" {
      driver = "raw_exec"

      identity {
        env = true
      }

      config {
        command = var.netviz_bin
        args    = ["agent", "--interval", var.interval, "--log-format", "json"]
      }

      env {
        NOMAD_ADDR               = var.nomad_addr
        NETVIZ_NODE_ID           = "${node.unique.id}"
        NETVIZ_AGENT_SECRET_FILE = "${NOMAD_SECRETS_DIR}/agent-secret"
      }

      # The shared secret, from Nomad Variables: only this job reads it.
      template {
        destination = "${NOMAD_SECRETS_DIR}/agent-secret"
        perms       = "0400"
        data        = "{{ with nomadVar \"nomad/jobs/netviz-agent\" }}{{ .secret }}{{ end }}"
      }

      # The server, found in Nomad's service registry; the agent restarts
      # when it moves.
      template {
        destination = "${NOMAD_SECRETS_DIR}/server.env"
        env         = true
        data        = var.server != "" ? "NETVIZ_SERVER=${var.server}" : "{{ range nomadService \"netviz\" }}NETVIZ_SERVER=http://{{ .Address }}:{{ .Port }}{{ end }}"
      }

      # Measured on the dev cluster at a 1 s interval: 1.6% of a core and
      # 38 MB resident for the agent process; Nomad's task stats, which
      # include raw_exec's executor, say ~92 MB (docs/perf.md).
      resources {
        cpu    = 100
        memory = 128
      }
    }
  }
}
