# Scenario 5 with Docker: Traefik on every node (a system job) on static
# ports 80 and 443, routing by Host() rules it reads from Nomad service tags
# (see ../05-web.nomad.hcl for a routed service).
job "ingress" {
  type = "system"

  group "traefik" {
    network {
      port "http" {
        static = 80
      }
      port "https" {
        static = 443
      }
    }
    service {
      name     = "ingress"
      provider = "nomad"
      port     = "http"
    }
    task "traefik" {
      driver = "docker"
      config {
        image        = "traefik:v3.0"
        network_mode = "host"
        args = [
          "--entrypoints.web.address=:80",
          "--entrypoints.websecure.address=:443",
          "--providers.nomad=true",
          "--providers.nomad.endpoint.address=http://${attr.unique.network.ip-address}:4646",
        ]
      }
    }
  }
}
