# Broken on purpose: a Connect service whose port is a label with no `to`
# (lint connect-port-label). The sidecar forwards to the port's random
# value inside the namespace, while the app listens on 8080.
variable "consul_http_addr" {
  type    = string
  default = "unix:///run/consul/consul_http.sock"
}

variable "consul_bin" {
  type    = string
  default = "consul"
}

job "broken-connect-port" {
  group "app" {
    network {
      mode = "bridge"
      port "http" {}
    }

    service {
      name = "label-port-app"
      port = "http"

      connect {
        sidecar_service {}
        sidecar_task {
          driver = "raw_exec"
          config {
            command = var.consul_bin
            args = [
              "connect", "proxy",
              "-service", "label-port-app",
              "-service-addr", "127.0.0.1:${NOMAD_PORT_http}",
              "-listen", "0.0.0.0:${NOMAD_PORT_connect_proxy_label_port_app}",
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
