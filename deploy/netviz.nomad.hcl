# netviz as a Nomad job, in the cluster it watches.
#
#   nomad job run -var netviz_bin=/opt/netviz/netviz \
#                 -var consul_http_addr=http://127.0.0.1:8500 deploy/netviz.nomad.hcl
#
# - raw_exec runs the netviz binary from a host path (netviz_bin); use an
#   `artifact` block instead to fetch a release onto each node.
# - Nomad is read through the task API socket in the task's secrets dir
#   with the task's workload identity (identity { env = true } gives it
#   NOMAD_TOKEN). On a cluster with ACLs, attach a read-only policy to the
#   job: `nomad acl policy apply -namespace default -job netviz netviz
#   deploy/netviz-policy.hcl`.
# - Consul is read with its own token, if it needs one: put it in a Nomad
#   variable at nomad/jobs/netviz (consul_token) and uncomment the template.
# - netviz has no viewer sign-in yet, so serving on the node's address needs
#   --insecure-no-auth: put it behind something that authenticates, or bind
#   it to a private network only (host_network).
# - /healthz and /readyz are the registered service's checks: the
#   deployment is healthy once netviz has read Nomad and no source is down.
variable "netviz_bin" {
  type        = string
  description = "absolute path of the netviz binary on the nodes"
}

variable "consul_http_addr" {
  type        = string
  default     = "http://127.0.0.1:8500"
  description = "Consul's HTTP address as seen from the task"
}

job "netviz" {
  type = "service"

  group "netviz" {
    count = 1

    network {
      mode = "host"
      port "http" {}
    }

    # The networking history (/timeline, ?at=) lives in the allocation's
    # data dir (NETVIZ_DATA_DIR below): sticky keeps it across job updates
    # on the same node, migrate moves it with a rescheduled allocation.
    # 300 MB holds the default 200 MB limit with room for the log.
    ephemeral_disk {
      sticky  = true
      migrate = true
      size    = 300
    }

    service {
      name     = "netviz"
      provider = "nomad"
      port     = "http"

      check {
        name     = "alive"
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "2s"
      }

      check {
        name     = "ready"
        type     = "http"
        path     = "/readyz"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "netviz" {
      driver = "raw_exec"

      identity {
        env = true
      }

      config {
        command = var.netviz_bin
        args    = ["serve", "--listen", "${NOMAD_ADDR_http}", "--insecure-no-auth", "--log-format", "json"]
      }

      env {
        NOMAD_ADDR       = "unix://${NOMAD_SECRETS_DIR}/api.sock"
        CONSUL_HTTP_ADDR = var.consul_http_addr
        NETVIZ_DATA_DIR  = "${NOMAD_ALLOC_DIR}/data"
      }

      # template {
      #   destination = "${NOMAD_SECRETS_DIR}/consul.env"
      #   env         = true
      #   data        = "CONSUL_HTTP_TOKEN={{ with nomadVar \"nomad/jobs/netviz\" }}{{ .consul_token }}{{ end }}"
      # }

      resources {
        cpu    = 200
        memory = 256
      }
    }
  }
}
