# Scenario 4: bridge mode with Consul Connect.
#
# "redis" has an empty sidecar_service; "app" declares an upstream to redis
# on local port 6379. The app talks to localhost:6379, its sidecar carries
# the connection over mTLS to redis's sidecar, which hands it to redis on
# 127.0.0.1:6379. Consul's intentions decide whether app may reach redis
# (see 04-connect-intentions.hcl).
#
# The sidecars are Consul's built-in proxy run by raw_exec (there is no Envoy
# or Docker here), in explicit mode, reaching the Consul agent through its
# unix socket (127.0.0.1 inside the namespace is the namespace's own). On a
# cluster with Docker and Envoy, drop the sidecar_task blocks: see
# docker/04-connect.nomad.hcl.
variable "consul_http_addr" {
  type        = string
  description = "Consul HTTP API as reachable from inside a bridge namespace (a unix:// socket)"
  default     = "unix:///run/consul/consul_http.sock"
}

variable "consul_bin" {
  type        = string
  description = "Path of the consul binary that runs the built-in proxy"
  default     = "consul"
}

job "mesh" {
  type = "service"

  group "redis" {
    network {
      mode = "bridge"
    }

    service {
      name = "redis"
      port = "6379"

      connect {
        sidecar_service {}

        sidecar_task {
          driver = "raw_exec"
          config {
            command = var.consul_bin
            args = [
              "connect", "proxy",
              "-service", "redis",
              "-service-addr", "127.0.0.1:6379",
              "-listen", "0.0.0.0:${NOMAD_PORT_connect_proxy_redis}",
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

    task "redis" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "6379", "--bind", "127.0.0.1"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }

  group "app" {
    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name = "app"
      port = "8080"

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "redis"
              local_bind_port  = 6379
            }
          }
        }

        sidecar_task {
          driver = "raw_exec"
          config {
            command = var.consul_bin
            args = [
              "connect", "proxy",
              "-service", "app",
              "-service-addr", "127.0.0.1:8080",
              "-listen", "0.0.0.0:${NOMAD_PORT_connect_proxy_app}",
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

    task "app" {
      driver = "raw_exec"
      config {
        command = "python3"
        # Serves on 8080 as before, and calls its dependency at REDIS_ADDR
        # every 5 s, so netviz agents observe the path (make demo).
        args = ["-c", <<-EOT
          import http.server, os, threading, time, urllib.request
          def call():
              while True:
                  try:
                      urllib.request.urlopen("http://" + os.environ["REDIS_ADDR"] + "/", timeout=2).read()
                  except Exception:
                      pass
                  time.sleep(5)
          threading.Thread(target=call, daemon=True).start()
          http.server.ThreadingHTTPServer(("0.0.0.0", 8080), http.server.SimpleHTTPRequestHandler).serve_forever()
          EOT
        ]
      }
      env {
        REDIS_ADDR = "${NOMAD_UPSTREAM_ADDR_redis}"
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
