# Broken on purpose: "nosy-app" declares an upstream to "secret-db", and
# intention-deny-intentions.hcl denies it (lint intention-denies-upstream).
# Both sit on one node's bridge, and secret-db's app listens on the
# namespace address, so nosy reaches it around the mesh anyway (lint
# bridge-peer-bypass).
variable "consul_http_addr" {
  type    = string
  default = "unix:///run/consul/consul_http.sock"
}

variable "consul_bin" {
  type    = string
  default = "consul"
}

job "broken-intention" {
  group "db" {
    network {
      mode = "bridge"
    }

    service {
      name = "secret-db"
      port = "6380"

      connect {
        sidecar_service {}
        sidecar_task {
          driver = "raw_exec"
          config {
            command = var.consul_bin
            args = [
              "connect", "proxy",
              "-service", "secret-db",
              "-service-addr", "127.0.0.1:6380",
              "-listen", "0.0.0.0:${NOMAD_PORT_connect_proxy_secret_db}",
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
        args    = ["-m", "http.server", "6380", "--bind", "0.0.0.0"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }

  group "nosy" {
    network {
      mode = "bridge"
    }

    service {
      name = "nosy-app"
      port = "8080"

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "secret-db"
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
              "-service", "nosy-app",
              "-service-addr", "127.0.0.1:8080",
              "-listen", "0.0.0.0:${NOMAD_PORT_connect_proxy_nosy_app}",
              "-upstream", "secret-db:${NOMAD_UPSTREAM_PORT_secret_db}",
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
