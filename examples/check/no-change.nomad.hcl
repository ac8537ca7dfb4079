# netviz check example: 02-same-group.nomad.hcl with a change that is not
# about the network (the app task's memory and a meta entry). Nomad's plan
# says the job is edited; `netviz check` says "No networking change", adds
# no finding and exits 0.
job "same-group" {
  type = "service"

  group "cache-and-app" {
    network {
      mode = "bridge"
      port "redis" {
        to = 6379
      }
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "same-group-app"
      provider = "nomad"
      port     = "http"
    }

    task "redis" {
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

    task "app" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "8080", "--bind", "0.0.0.0"]
      }
      env {
        REDIS_ADDR = "${NOMAD_ADDR_redis}"
      }
      meta {
        release = "check-example"
      }
      resources {
        cpu    = 50
        memory = 96
      }
    }
  }
}
