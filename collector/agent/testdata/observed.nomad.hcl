# The agent's integration test: "echo" is a Connect service whose app also
# maps a host port (so every path can be taken to it), "client" has an
# upstream to it. The test makes the traffic itself, from inside client's
# namespace. echo_node and client_node (regular expressions on the node
# name, default any) place the groups on different nodes for the two-node
# test.
variable "echo_node" {
  type    = string
  default = ".*"
}

variable "client_node" {
  type    = string
  default = ".*"
}

variable "consul_http_addr" {
  type    = string
  default = "unix:///run/consul/consul_http.sock"
}

variable "consul_bin" {
  type    = string
  default = "consul"
}

job "observed" {
  type = "service"

  group "echo" {
    constraint {
      attribute = "${node.unique.name}"
      operator  = "regexp"
      value     = var.echo_node
    }

    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name = "echo"
      port = "8080"

      connect {
        sidecar_service {}

        sidecar_task {
          driver = "raw_exec"
          config {
            command = var.consul_bin
            args = [
              "connect", "proxy",
              "-service", "echo",
              "-service-addr", "127.0.0.1:8080",
              "-listen", "0.0.0.0:${NOMAD_PORT_connect_proxy_echo}",
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

    task "echo" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "8080", "--bind", "0.0.0.0"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }

  group "client" {
    constraint {
      attribute = "${node.unique.name}"
      operator  = "regexp"
      value     = var.client_node
    }

    network {
      mode = "bridge"
    }

    service {
      name = "echo-client"
      port = "9000"

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "echo"
              local_bind_port  = 19090
            }
          }
        }

        sidecar_task {
          driver = "raw_exec"
          config {
            command = var.consul_bin
            args = [
              "connect", "proxy",
              "-service", "echo-client",
              "-service-addr", "127.0.0.1:9000",
              "-listen", "0.0.0.0:${NOMAD_PORT_connect_proxy_echo_client}",
              "-upstream", "echo:${NOMAD_UPSTREAM_PORT_echo}",
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

    task "client" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "9000", "--bind", "127.0.0.1"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
