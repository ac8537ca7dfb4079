# Broken on purpose: "exposed-db" is in the mesh, and its intentions
# (mesh-bypass-intentions.hcl) say who may reach it, but its app port is
# also mapped to the host (port "db", to = 6381): anyone who reaches the
# node reaches the app directly (lint mesh-bypass).
variable "consul_http_addr" {
  type    = string
  default = "unix:///run/consul/consul_http.sock"
}

variable "consul_bin" {
  type    = string
  default = "consul"
}

job "broken-mesh-bypass" {
  group "db" {
    network {
      mode = "bridge"
      port "db" {
        to = 6381
      }
    }

    service {
      name = "exposed-db"
      port = "db"

      connect {
        sidecar_service {}
        sidecar_task {
          driver = "raw_exec"
          config {
            command = var.consul_bin
            args = [
              "connect", "proxy",
              "-service", "exposed-db",
              "-service-addr", "127.0.0.1:6381",
              "-listen", "0.0.0.0:${NOMAD_PORT_connect_proxy_exposed_db}",
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

    task "db" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "6381", "--bind", "0.0.0.0"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
