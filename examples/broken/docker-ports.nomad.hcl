# Broken on purpose, and Docker-only (it cannot run on the test machine,
# which has no Docker): the group reserves port "http" in host mode, but
# the docker task does not list it in config.ports, so Docker never
# publishes it (lint docker-port-unpublished). The test parses this file
# with Nomad and checks the lint on the model built from the parsed job.
job "broken-docker-ports" {
  group "web" {
    network {
      port "http" {
        to = 80
      }
    }

    service {
      name     = "docker-web"
      provider = "nomad"
      port     = "http"
    }

    task "web" {
      driver = "docker"
      config {
        image = "nginx:1.27"
      }
    }
  }
}
