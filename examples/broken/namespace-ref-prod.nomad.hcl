# The service namespace-ref.nomad.hcl looks for, registered in Nomad
# namespace "prod" (create it first: nomad namespace apply prod).
job "prod-cache" {
  namespace = "prod"

  group "cache" {
    network {
      mode = "bridge"
      port "cache" {
        to = 6379
      }
    }

    service {
      name     = "prod-cache"
      provider = "nomad"
      port     = "cache"
    }

    task "cache" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "6379", "--bind", "0.0.0.0"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
