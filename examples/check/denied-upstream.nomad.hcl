# netviz check example: a new Connect upstream that an existing intention
# denies (denied-upstream-intentions.hcl: intruder → * deny).
#
# "intruder" declares an upstream to "redis" (04-connect.nomad.hcl) on local
# port 6380. `netviz check` predicts the finding intention-denies-upstream
# and the reach change intruder → redis: absent → blocked; deployed, the
# connection through the upstream is refused by redis's sidecar.
variable "consul_http_addr" {
  type    = string
  default = "unix:///run/consul/consul_http.sock"
}

variable "consul_bin" {
  type    = string
  default = "consul"
}

job "check-intruder" {
  type = "service"

  group "intruder" {
    network {
      mode = "bridge"
    }

    service {
      name = "intruder"
      port = "8080"

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "redis"
              local_bind_port  = 6380
            }
          }
        }

        sidecar_task {
          driver = "raw_exec"
          config {
            command = var.consul_bin
            args = [
              "connect", "proxy",
              "-service", "intruder",
              "-service-addr", "127.0.0.1:8080",
              "-listen", "0.0.0.0:${NOMAD_PORT_connect_proxy_intruder}",
              "-upstream", "redis:${NOMAD_UPSTREAM_PORT_redis}",
            ]
          }
          env {
            CONSUL_HTTP_ADDR = var.consul_http_addr
          }
          resources {
            cpu    = 50
            memory = 64
          }
        }
      }
    }

    task "intruder" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "8080", "--bind", "127.0.0.1"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
