# Scenario 2: two tasks in one group share a network namespace.
#
# "redis" and "app" run in the same allocation, so they share its bridge
# namespace: the app reaches redis on the namespace's own address. Nomad
# hands the app redis's address in NOMAD_ADDR_redis; netviz draws the
# same-namespace edge app → redis labelled with that variable.
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
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
