# Broken on purpose: a static host port on a service that clients could
# find through the registry (lint static-port). Two allocations of it can
# never share a node.
job "broken-static-port" {
  group "api" {
    network {
      mode = "bridge"
      port "http" {
        static = 28080
        to     = 8080
      }
    }

    service {
      name     = "fixed-api"
      provider = "nomad"
      port     = "http"
    }

    task "api" {
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
}
