# Broken on purpose: a Connect upstream to a service that does not exist
# (lint upstream-dangling). The app's proxy listens on localhost:7000, but
# there is nothing behind it.
variable "consul_http_addr" {
  type    = string
  default = "unix:///run/consul/consul_http.sock"
}

variable "consul_bin" {
  type    = string
  default = "consul"
}

job "broken-upstream" {
  group "app" {
    network {
      mode = "bridge"
    }

    service {
      name = "lonely-app"
      port = "8080"

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "ghost-db"
              local_bind_port  = 7000
            }
          }
        }
        sidecar_task {
          driver = "raw_exec"
          config {
            command = var.consul_bin
            args = [
              "connect", "proxy",
              "-service", "lonely-app",
              "-service-addr", "127.0.0.1:8080",
              "-listen", "0.0.0.0:${NOMAD_PORT_connect_proxy_lonely_app}",
              "-upstream", "ghost-db:${NOMAD_UPSTREAM_PORT_ghost_db}",
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

    task "app" {
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
