# Broken on purpose: host networking with no access control
# (lint host-network-open). The task binds the node's address itself, so
# anything that routes to the node reaches it; nothing filters who.
job "broken-host-network" {
  group "api" {
    network {
      mode = "host"
      port "http" {}
    }

    service {
      name     = "open-api"
      provider = "nomad"
      port     = "http"
    }

    task "api" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "${NOMAD_PORT_http}", "--bind", "${NOMAD_IP_http}"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
