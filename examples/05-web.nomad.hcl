# Scenario 5, the routed application: "web" carries a Traefik-style routing
# tag, Host(`web.netviz.test`), which the ingress job (05-ingress.nomad.hcl)
# reads from Nomad's service registry to route requests to it.
job "web" {
  type = "service"

  group "web" {
    count = 2

    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "web"
      provider = "nomad"
      port     = "http"
      tags = [
        "traefik.enable=true",
        "traefik.http.routers.web.rule=Host(`web.netviz.test`)",
      ]
    }

    task "web" {
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
